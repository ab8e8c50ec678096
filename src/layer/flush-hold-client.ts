/**
 * The Extensions API side of the flush hold (see flush-hold.ts): register as an internal
 * extension, then ask for each next event once the invocation's flush is reported. A module of
 * its own, imported only when `flushMode: 'async'` asks for a hold, so other environments do not
 * load or compile it at cold start. Nothing here throws into the caller.
 */
import type * as Http from 'node:http';
import type { HoldState } from './flush-hold.ts';

const NAME = 'lambda-observe-flush';
/** The next event is asked for this long before the deadline at the latest: an extension still busy at the deadline times the invocation out. */
const DEADLINE_SAFETY_MS = 100;
const RETRY_DELAYS_MS = [10, 50, 200, 1000] as const;

interface ExtensionEvent {
  eventType?: string;
  requestId?: string;
  deadlineMs?: number;
}

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

/** Register; true once the runtime holds freezes for its flushes. */
export async function register(state: HoldState, runtimeApi: string): Promise<boolean> {
  let id: string;
  try {
    const res = await call(runtimeApi, 'POST', 'register', { 'Lambda-Extension-Name': NAME, 'Content-Type': 'application/json' }, JSON.stringify({ events: ['INVOKE'] }));
    id = String(res.headers['lambda-extension-identifier'] ?? '');
    if (res.status !== 200 || !id) return false;
  } catch {
    return false;
  }
  state.held = true;
  void nextLoop(state, runtimeApi, id);
  return true;
}

/** Forever: ask for the next event; hold each INVOKE until its flush is reported or the deadline nears. */
async function nextLoop(state: HoldState, runtimeApi: string, id: string): Promise<void> {
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
    if (event.eventType === 'INVOKE' && event.requestId) await holdUntilFlushed(state, event.requestId, Number(event.deadlineMs) || Date.now());
  }
}

function holdUntilFlushed(state: HoldState, requestId: string, deadlineMs: number): Promise<void> {
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
