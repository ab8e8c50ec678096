// Lambda's Runtime API (2018-06-01) as the RIC sees it: a long-polled `next` that hands out one
// invocation at a time, and the response / error / init-error posts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerRecord, readBody, sendAccepted, sendJson } from './http.ts';

const PREFIX = '/2018-06-01/runtime';

export interface InvocationRequest {
  requestId: string;
  /** The event as JSON text, sent as-is as the body of `next`. */
  eventJson: string;
  deadlineMs: number;
  invokedFunctionArn: string;
  traceId: string | undefined;
  /** JSON text for Lambda-Runtime-Client-Context. */
  clientContext: string | undefined;
}

export interface RuntimeOutcome {
  kind: 'response' | 'error';
  /** Raw body as posted. */
  body: string;
  /** Request headers of the post (lower-case names), e.g. lambda-runtime-function-error-type. */
  headers: Record<string, string>;
  atMs: number;
}

export interface InitErrorReport {
  body: string;
  headers: Record<string, string>;
  atMs: number;
}

interface Invocation {
  request: InvocationRequest;
  delivered: boolean;
  outcome: RuntimeOutcome | undefined;
}

export class RuntimeApi {
  /** How many times the runtime has called `next` (the first call ends its init). */
  nextCalls = 0;
  initError: InitErrorReport | undefined;
  #pendingNext: ServerResponse | undefined;
  #invocations = new Map<string, Invocation>();
  #queued: Invocation | undefined;
  #onChange: () => void;

  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  /** The runtime is blocked in `next`, i.e. done with the previous invocation (or its init). */
  get waitingForNext(): boolean {
    return this.#pendingNext !== undefined;
  }

  /** Queues an invocation; hands it over at once if the runtime is already waiting in `next`. */
  enqueue(request: InvocationRequest): void {
    const invocation: Invocation = { request, delivered: false, outcome: undefined };
    this.#invocations.set(request.requestId, invocation);
    this.#queued = invocation;
    this.#deliver();
  }

  outcomeOf(requestId: string): RuntimeOutcome | undefined {
    return this.#invocations.get(requestId)?.outcome;
  }

  handle = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    if (!path.startsWith(PREFIX + '/')) return false;
    const rest = path.slice(PREFIX.length);
    if (req.method === 'GET' && rest === '/invocation/next') {
      this.#next(res);
      return true;
    }
    if (req.method === 'POST' && rest === '/init/error') {
      this.initError = { body: await readBody(req), headers: headerRecord(req), atMs: Date.now() };
      sendAccepted(res);
      this.#onChange();
      return true;
    }
    const match = /^\/invocation\/([^/]+)\/(response|error)$/.exec(rest);
    if (req.method === 'POST' && match) {
      await this.#outcome(req, res, decodeURIComponent(match[1]!), match[2] as 'response' | 'error');
      return true;
    }
    return false;
  };

  #next(res: ServerResponse): void {
    this.nextCalls++;
    if (this.#pendingNext) {
      // Only one runtime thread polls in a single-concurrency sandbox; a second poll means the
      // first connection died, so the newer one is the live one.
      this.#pendingNext.destroy();
    }
    this.#pendingNext = res;
    // A runtime that dies while polling must not be counted as waiting. ('close' also fires
    // after a normal answer, when this response is no longer the pending one.)
    res.once('close', () => {
      if (this.#pendingNext === res) {
        this.#pendingNext = undefined;
        this.#onChange();
      }
    });
    this.#deliver();
    this.#onChange();
  }

  #deliver(): void {
    const invocation = this.#queued;
    const res = this.#pendingNext;
    if (!invocation || !res) return;
    this.#queued = undefined;
    this.#pendingNext = undefined;
    invocation.delivered = true;
    const { request } = invocation;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': request.requestId,
      'Lambda-Runtime-Deadline-Ms': String(request.deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn': request.invokedFunctionArn,
    };
    if (request.traceId !== undefined) headers['Lambda-Runtime-Trace-Id'] = request.traceId;
    if (request.clientContext !== undefined) headers['Lambda-Runtime-Client-Context'] = request.clientContext;
    res.writeHead(200, { ...headers, 'Content-Length': Buffer.byteLength(request.eventJson) });
    res.end(request.eventJson);
    this.#onChange();
  }

  async #outcome(req: IncomingMessage, res: ServerResponse, requestId: string, kind: 'response' | 'error'): Promise<void> {
    const invocation = this.#invocations.get(requestId);
    // Error types as Lambda's API server (RAPID) names them.
    if (!invocation || !invocation.delivered) {
      sendJson(res, 400, { errorType: 'InvalidRequestID', errorMessage: `Invalid request ID: ${requestId}` });
      return;
    }
    if (invocation.outcome) {
      sendJson(res, 403, { errorType: 'InvalidStateTransition', errorMessage: `Invocation ${requestId} already has a ${invocation.outcome.kind}` });
      return;
    }
    const body = await readBody(req);
    const headers = headerRecord(req);
    // A streaming response reports a mid-stream failure in HTTP trailers.
    const trailerError = req.trailers['lambda-runtime-function-error-type'];
    const finalKind = kind === 'response' && trailerError ? 'error' : kind;
    if (trailerError) {
      headers['lambda-runtime-function-error-type'] = trailerError;
      const trailerBody = req.trailers['lambda-runtime-function-error-body'];
      if (trailerBody) headers['lambda-runtime-function-error-body'] = Buffer.from(trailerBody, 'base64').toString('utf8');
    }
    invocation.outcome = { kind: finalKind, body, headers, atMs: Date.now() };
    sendAccepted(res);
    this.#onChange();
  }
}
