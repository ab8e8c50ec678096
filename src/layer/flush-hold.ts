/**
 * The freeze hold behind `flushMode: 'async'`: the runtime answers first and exports afterwards,
 * and nothing may freeze the environment before that export is done.
 *
 * Lambda freezes an environment once the runtime and every registered extension wait on their
 * `next`. So the runtime process registers itself as an *internal* extension (Extensions API,
 * INVOKE events) during init and, for each invocation, asks for its next event only after that
 * invocation's flush is over (`notifyFlushed`), or shortly before the deadline at the latest:
 * the response goes out first, the environment stays awake until the export finished. No other
 * process, no IPC: the waiting happens in the process that does the flushing.
 *
 * Registration must happen during init (Lambda refuses it later): the layer's handler module
 * waits for it. Without a hold (`flushHeld()` false), the lifecycle flushes before answering, as
 * in `sync`. The state lives on `globalThis`, so that a copy of lambda-observe bundled into the
 * function and the layer's copy share one registration. Nothing here throws into the caller.
 */
import { AsyncResource } from 'node:async_hooks';
import type * as Http from 'node:http';

const NAME = 'lambda-observe-flush';
/** The next event is asked for this long before the deadline at the latest: an extension still busy at the deadline times the invocation out. */
const DEADLINE_SAFETY_MS = 100;
/** Flushes reported before their INVOKE event arrived; the oldest are forgotten beyond this. */
const MAX_EARLY = 64;
const RETRY_DELAYS_MS = [10, 50, 200, 1000] as const;

interface HoldState {
  registration: Promise<boolean> | undefined;
  held: boolean;
  readonly flushed: Set<string>;
  waiting: { readonly requestId: string; readonly release: () => void } | undefined;
}

interface ExtensionEvent {
  eventType?: string;
  requestId?: string;
  deadlineMs?: number;
}

const KEY = Symbol.for('lambda-observe.flush-hold');
const shared = globalThis as unknown as Record<symbol, HoldState | undefined>;
const state: HoldState = (shared[KEY] ??= { registration: undefined, held: false, flushed: new Set(), waiting: undefined });

/**
 * Our calls to the Extensions API must not count as the function's outgoing HTTP (no client
 * span, no traceparent): they run in the async context of init, never in an invocation's.
 */
const outsideInvocations = new AsyncResource('lambda-observe.flush-hold');
// `getBuiltinModule`, not an ESM import: an ESM namespace of node:http evaluates its lazy getters
// and loads undici (≈ 30 ms at every cold start, measured), even when async flush is off.
let http: { agent: Http.Agent; request: typeof Http.request } | undefined;
function httpClient(): { agent: Http.Agent; request: typeof Http.request } {
  if (!http) {
    const module = process.getBuiltinModule('node:http') as typeof Http;
    http = { agent: new module.Agent({ keepAlive: true, maxSockets: 1 }), request: module.request };
  }
  return http;
}

/**
 * Register the hold (once per process; later calls join the first). Resolves true once the
 * runtime holds freezes for its flushes, false when there is no Extensions API or it refused.
 */
export function connectFlushHold(runtimeApi: string | undefined): Promise<boolean> {
  state.registration ??= outsideInvocations.runInAsyncScope(() => register(runtimeApi));
  return state.registration;
}

/** Wait up to `timeoutMs` for the registration (the layer's handler module does, during init). */
export function waitForFlushHold(runtimeApi: string | undefined, timeoutMs: number): Promise<boolean> {
  const registered = connectFlushHold(runtimeApi);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    // Not unref'd: during init nothing else may keep the process alive while we wait; bounded and cleared.
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  return Promise.race([registered, expired]).finally(() => clearTimeout(timer));
}

/** True while this process holds freezes until its flushes are done. */
export function flushHeld(): boolean {
  return state.held;
}

/** The invocation's flush is over: the environment may freeze once the runtime is idle too. */
export function notifyFlushed(requestId: string | undefined): void {
  if (!state.held || !requestId) return;
  if (state.waiting?.requestId === requestId) {
    state.waiting.release();
    return;
  }
  state.flushed.add(requestId);
  if (state.flushed.size > MAX_EARLY) state.flushed.delete(state.flushed.values().next().value as string);
}

async function register(runtimeApi: string | undefined): Promise<boolean> {
  if (!runtimeApi) return false;
  let id: string;
  try {
    const res = await call(runtimeApi, 'POST', 'register', { 'Lambda-Extension-Name': NAME, 'Content-Type': 'application/json' }, JSON.stringify({ events: ['INVOKE'] }));
    id = String(res.headers['lambda-extension-identifier'] ?? '');
    if (res.status !== 200 || !id) return false;
  } catch {
    return false;
  }
  state.held = true;
  void nextLoop(runtimeApi, id);
  return true;
}

/** Forever: ask for the next event; hold each INVOKE until its flush is reported or the deadline nears. */
async function nextLoop(runtimeApi: string, id: string): Promise<void> {
  let failures = 0;
  for (;;) {
    let event: ExtensionEvent;
    try {
      const res = await call(runtimeApi, 'GET', 'event/next', { 'Lambda-Extension-Identifier': id });
      if (res.status !== 200) throw new Error(`event/next answered ${res.status}`);
      event = JSON.parse(res.body) as ExtensionEvent;
      failures = 0;
    } catch {
      // A registered extension that stops asking for events would time every invocation out:
      // keep asking, with a growing pause.
      await sleep(RETRY_DELAYS_MS[Math.min(failures++, RETRY_DELAYS_MS.length - 1)] as number);
      continue;
    }
    if (event.eventType === 'INVOKE' && event.requestId) await holdUntilFlushed(event.requestId, Number(event.deadlineMs) || Date.now());
  }
}

function holdUntilFlushed(requestId: string, deadlineMs: number): Promise<void> {
  if (state.flushed.delete(requestId)) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const release = (): void => {
      clearTimeout(timer);
      state.waiting = undefined;
      resolve();
    };
    const timer = setTimeout(release, Math.max(0, deadlineMs - Date.now() - DEADLINE_SAFETY_MS));
    state.waiting = { requestId, release };
  });
}

function call(
  runtimeApi: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const [host, port] = runtimeApi.split(':');
  return new Promise((resolve, reject) => {
    const { request, agent } = httpClient();
    const req = request({ host, port, method, path: `/2020-01-01/extension/${path}`, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
