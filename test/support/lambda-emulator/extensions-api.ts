// Lambda's Extensions API (2020-01-01): registration during init, a long-polled `event/next`
// per extension that delivers INVOKE and SHUTDOWN events, and the init/exit error reports.
// Status codes and error types follow Lambda's API server (RAPID, as published in the
// aws-lambda-runtime-interface-emulator sources).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerRecord, parseJson, readBody, sendAccepted, sendJson } from './http.ts';

const PREFIX = '/2020-01-01/extension';

export type ExtensionEventType = 'INVOKE' | 'SHUTDOWN';

export interface ExtensionErrorReport {
  errorType: string | undefined;
  body: string;
  atMs: number;
}

export interface RegisteredExtension {
  id: string;
  name: string;
  /** External = started by Lambda from /opt/extensions; internal = registered from inside the runtime process tree. */
  external: boolean;
  events: ReadonlySet<ExtensionEventType>;
  /** How many times it has called `event/next`. */
  nextCalls: number;
  /** Events delivered to it, in order. */
  delivered: object[];
  initError: ExtensionErrorReport | undefined;
  exitError: ExtensionErrorReport | undefined;
}

interface ExtensionState extends RegisteredExtension {
  pendingNext: ServerResponse | undefined;
  queue: object[];
}

export interface FunctionMetadata {
  functionName: string;
  functionVersion: string;
  handler: string;
  accountId: string;
}

export class ExtensionsApi {
  #extensions = new Map<string, ExtensionState>();
  #externalNames: ReadonlySet<string>;
  #metadata: FunctionMetadata;
  #registrationOpen = true;
  #onChange: () => void;

  constructor(options: { externalNames: readonly string[]; metadata: FunctionMetadata; onChange: () => void }) {
    this.#externalNames = new Set(options.externalNames);
    this.#metadata = options.metadata;
    this.#onChange = options.onChange;
  }

  get registered(): RegisteredExtension[] {
    return [...this.#extensions.values()];
  }

  byName(name: string): RegisteredExtension | undefined {
    return this.registered.find((e) => e.name === name);
  }

  /** Lambda accepts registrations only during init. */
  closeRegistration(): void {
    this.#registrationOpen = false;
  }

  /** Every registered extension is blocked in `event/next` with nothing left to receive. */
  allWaiting(): boolean {
    return this.registered.every((e) => this.isWaiting(e));
  }

  isWaiting(extension: RegisteredExtension): boolean {
    const state = this.#extensions.get(extension.id);
    return state !== undefined && state.pendingNext !== undefined && state.queue.length === 0;
  }

  /** Registered extensions not (yet) back in `event/next`, for error messages. */
  busy(): string[] {
    return this.registered.filter((e) => !this.isWaiting(e)).map((e) => e.name);
  }

  /** Queues `event` for each extension subscribed to its type; delivered on its (pending or next) `event/next`. */
  dispatch(event: { eventType: ExtensionEventType; [field: string]: unknown }, only?: (extension: RegisteredExtension) => boolean): void {
    for (const state of this.#extensions.values()) {
      if (!state.events.has(event.eventType) || (only && !only(state))) continue;
      state.queue.push(event);
      this.#deliver(state);
    }
    this.#onChange();
  }

  handle = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    if (!path.startsWith(PREFIX + '/')) return false;
    const rest = path.slice(PREFIX.length);
    if (req.method === 'POST' && rest === '/register') await this.#register(req, res);
    else if (req.method === 'GET' && rest === '/event/next') this.#next(req, res);
    else if (req.method === 'POST' && (rest === '/init/error' || rest === '/exit/error')) await this.#error(req, res, rest === '/init/error' ? 'initError' : 'exitError');
    else return false;
    return true;
  };

  async #register(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const name = req.headers['lambda-extension-name'];
    const body = parseJson(await readBody(req));
    if (typeof name !== 'string' || name === '') {
      sendJson(res, 403, { errorType: 'Extension.InvalidExtensionName', errorMessage: 'Empty extension name' });
      return;
    }
    const events = (body as { events?: unknown } | null)?.events;
    if (!Array.isArray(events) || events.some((e) => typeof e !== 'string')) {
      sendJson(res, 403, { errorType: 'InvalidRequestFormat', errorMessage: 'body must be {"events": [...]}' });
      return;
    }
    // Lambda tells external from internal extensions by name: an external one must register
    // under its executable's file name.
    const external = this.#externalNames.has(name);
    for (const event of events as string[]) {
      if (event === 'INVOKE' || (event === 'SHUTDOWN' && external)) continue;
      const why = event === 'SHUTDOWN' ? 'ShutdownEventNotSupportedForInternalExtension' : 'InvalidEventType';
      sendJson(res, 403, { errorType: 'Extension.InvalidEventType', errorMessage: `${event}: ${why}` });
      return;
    }
    if (!this.#registrationOpen) {
      sendJson(res, 403, { errorType: 'Extension.RegistrationClosed', errorMessage: 'Extension registration closed already' });
      return;
    }
    if (this.byName(name)) {
      sendJson(res, 403, { errorType: 'Extension.InvalidExtensionState', errorMessage: 'Extension with this name already registered' });
      return;
    }
    const state: ExtensionState = {
      id: randomUUID(),
      name,
      external,
      events: new Set(events as ExtensionEventType[]),
      nextCalls: 0,
      delivered: [],
      initError: undefined,
      exitError: undefined,
      pendingNext: undefined,
      queue: [],
    };
    this.#extensions.set(state.id, state);
    const { functionName, functionVersion, handler, accountId } = this.#metadata;
    const features = String(req.headers['lambda-extension-accept-feature'] ?? '').split(',').map((f) => f.trim());
    sendJson(
      res,
      200,
      { functionName, functionVersion, handler, ...(features.includes('accountId') ? { accountId } : {}) },
      { 'Lambda-Extension-Identifier': state.id },
    );
    this.#onChange();
  }

  #identify(req: IncomingMessage, res: ServerResponse): ExtensionState | undefined {
    const id = req.headers['lambda-extension-identifier'];
    if (typeof id !== 'string' || id === '') {
      sendJson(res, 403, { errorType: 'Extension.MissingExtensionIdentifier', errorMessage: 'Missing Lambda-Extension-Identifier header' });
      return undefined;
    }
    const state = this.#extensions.get(id);
    if (!state) sendJson(res, 403, { errorType: 'Extension.UnknownExtensionIdentifier', errorMessage: `Unknown extension ${id}` });
    return state;
  }

  #next(req: IncomingMessage, res: ServerResponse): void {
    const state = this.#identify(req, res);
    if (!state) return;
    state.nextCalls++;
    state.pendingNext?.destroy(); // a second poll means the first connection is dead
    state.pendingNext = res;
    res.once('close', () => {
      if (state.pendingNext === res) {
        state.pendingNext = undefined;
        this.#onChange();
      }
    });
    this.#deliver(state);
    this.#onChange();
  }

  #deliver(state: ExtensionState): void {
    const res = state.pendingNext;
    const event = state.queue.shift();
    if (!event) return;
    if (!res) {
      state.queue.unshift(event);
      return;
    }
    state.pendingNext = undefined;
    state.delivered.push(event);
    const text = JSON.stringify(event);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'Lambda-Extension-Event-Identifier': randomUUID(),
    });
    res.end(text);
  }

  async #error(req: IncomingMessage, res: ServerResponse, field: 'initError' | 'exitError'): Promise<void> {
    const body = await readBody(req);
    const state = this.#identify(req, res);
    if (!state) return;
    const errorType = headerRecord(req)['lambda-extension-function-error-type'];
    state[field] = { errorType, body, atMs: Date.now() };
    sendAccepted(res);
    this.#onChange();
  }
}
