/**
 * The Extensions API side of the flush hold (see flush-hold.ts): register as an internal
 * extension, then ask for each next event once the invocation's flush is reported. A module of
 * its own, imported only when `flushMode: 'async'` asks for a hold, so other environments do not
 * load or compile it at cold start. Nothing here throws into the caller.
 *
 * The calls go through our HTTP/1.1 client (../http1-client.ts), not node:http: the `event/next`
 * round trip runs between every two invocations, and node:http's request, agent and parser
 * machinery (and the code and memory they touch) cost the next response its warm CPU caches
 * (docs/performance.md, "Async flush"). With exporters on, that client is already loaded and warm.
 * The loop is callbacks rather than awaits: no promises per invocation.
 */
import { AsyncResource } from 'node:async_hooks';
import { createHttp1Origin, type Http1Origin, type Http1Request, type Http1Response } from '../http1-client.ts';
import { createHoldDeadline, type HoldDeadline } from './flush-hold-deadline.ts';
import type { HoldState } from './flush-hold.ts';

const NAME = 'lambda-observe-flush';
const BASE_PATH = '/2020-01-01/extension/';
/** The next event is asked for this long before the deadline at the latest: an extension still busy at the deadline times the invocation out. */
const DEADLINE_SAFETY_MS = 100;
const RETRY_DELAYS_MS = [10, 50, 200, 1000] as const;
/** An event is a few hundred bytes; a longer answer is read on but not kept (and then fails to parse, as any broken event). */
const MAX_EVENT_BYTES = 1024 * 1024;

interface ExtensionEvent {
  eventType?: string;
  requestId?: string;
  deadlineMs?: number;
}

/** Register; true once the runtime holds freezes for its flushes. */
export function register(state: HoldState, runtimeApi: string): Promise<boolean> {
  const [host = '', port = ''] = runtimeApi.split(':');
  let origin: Http1Origin;
  try {
    // One connection, kept alive: the Extensions API answers one long poll at a time.
    origin = createHttp1Origin({ host, port: Number(port), maxSockets: 1 });
  } catch {
    return Promise.resolve(false);
  }
  const request: Http1Request = {
    method: 'POST',
    path: `${BASE_PATH}register`,
    headers: { 'Lambda-Extension-Name': NAME, 'Content-Type': 'application/json' },
    body: JSON.stringify({ events: ['INVOKE'] }),
    maxBodyBytes: MAX_EVENT_BYTES,
    overflow: 'truncate',
  };
  return new Promise((resolve) => {
    const refused = (): void => {
      origin.close();
      resolve(false);
    };
    try {
      origin.request(request, (error, response) => {
        const id = response?.headers['lambda-extension-identifier'] ?? '';
        if (error || response?.status !== 200 || !id) return refused();
        state.held = true;
        startNextLoop(state, origin, id);
        resolve(true);
      });
    } catch {
      // A malformed AWS_LAMBDA_RUNTIME_API (net.connect throws on a bad port): no hold.
      refused();
    }
  });
}

/** Forever: ask for the next event; hold each INVOKE until its flush is reported or the deadline nears. */
function startNextLoop(state: HoldState, origin: Http1Origin, id: string): void {
  const next: Http1Request = {
    method: 'GET',
    path: `${BASE_PATH}event/next`,
    headers: { 'Lambda-Extension-Identifier': id },
    maxBodyBytes: MAX_EVENT_BYTES,
    overflow: 'truncate',
  };
  const deadline = createHoldDeadline();
  let failures = 0;
  const retry = (): void => {
    // A registered extension that stops asking for events would time every invocation out:
    // keep asking, with a growing pause.
    setTimeout(ask, RETRY_DELAYS_MS[Math.min(failures++, RETRY_DELAYS_MS.length - 1)] as number).unref();
  };
  const answered = (error: Error | undefined, response: Http1Response | undefined): void => {
    let event: ExtensionEvent;
    try {
      if (error || !response) throw error;
      if (response.status !== 200) throw new Error(`event/next answered ${response.status}`);
      event = JSON.parse(response.body.toString('utf8')) as ExtensionEvent;
      failures = 0;
    } catch {
      retry();
      return;
    }
    if (event?.eventType === 'INVOKE' && event.requestId) holdUntilFlushed(state, deadline, event.requestId, Number(event.deadlineMs) || Date.now(), ask);
    else ask();
  };
  // Bound to the async context of init: a release from inside an invocation (notifyFlushed) must
  // not make our calls part of it (no client span, no traceparent; see flush-hold.ts).
  const ask = AsyncResource.bind((): void => {
    try {
      origin.request(next, answered);
    } catch {
      retry();
    }
  });
  ask();
}

function holdUntilFlushed(state: HoldState, deadline: HoldDeadline, requestId: string, deadlineMs: number, then: () => void): void {
  if (state.flushed.delete(requestId)) return then();
  let released = false;
  const release = (): void => {
    // Once: the deadline and the flush report may both come.
    if (released) return;
    released = true;
    deadline.cancel();
    state.waiting = undefined;
    then();
  };
  deadline.start(deadlineMs - DEADLINE_SAFETY_MS, release);
  state.waiting = { requestId, release };
}
