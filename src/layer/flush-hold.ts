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

/** Flushes reported before their INVOKE event arrived; the oldest are forgotten beyond this. */
const MAX_EARLY = 64;

/** The hold's state, shared with flush-hold-client.ts (which does the Extensions API calls). */
export interface HoldState {
  registration: Promise<boolean> | undefined;
  held: boolean;
  readonly flushed: Set<string>;
  waiting: { readonly requestId: string; readonly release: () => void } | undefined;
}

const KEY = Symbol.for('lambda-observe.flush-hold');
const shared = globalThis as unknown as Record<symbol, HoldState | undefined>;
const state: HoldState = (shared[KEY] ??= { registration: undefined, held: false, flushed: new Set(), waiting: undefined });

/**
 * Our calls to the Extensions API must not count as the function's outgoing HTTP (no client
 * span, no traceparent): they run in the async context of init, never in an invocation's.
 */
const outsideInvocations = new AsyncResource('lambda-observe.flush-hold');

/**
 * Register the hold (once per process; later calls join the first). Resolves true once the
 * runtime holds freezes for its flushes, false when there is no Extensions API or it refused.
 */
export function connectFlushHold(runtimeApi: string | undefined): Promise<boolean> {
  state.registration ??= runtimeApi
    ? outsideInvocations.runInAsyncScope(() =>
        import('./flush-hold-client.ts').then(
          ({ register }) => register(state, runtimeApi),
          () => false,
        ),
      )
    : Promise.resolve(false);
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
