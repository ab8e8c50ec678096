/**
 * The store of the current invocation, carried by one AsyncLocalStorage.
 *
 * This is the only place per-invocation state lives: logs, traces, metrics and the wide event
 * read it from here instead of from module-level "current request" variables, which is what
 * keeps concurrent invocations (the CLI's --concurrency, tests, response streaming) apart.
 *
 * The same storage is also OpenTelemetry's context manager, so the invocation record and the
 * active span travel together: one `run` per invocation instead of two, and an adapter that can
 * only "enter" a context (middy's `before` hook) sets both at once.
 * It imports nothing of ours.
 */
import type * as AsyncHooks from 'node:async_hooks';
import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';

/** A span the invocation must end if it times out (the subset of the OTel Span we need). */
export interface OpenSpan {
  setStatus(status: { code: number; message?: string }): unknown;
  setAttribute(key: string, value: string | number | boolean): unknown;
  end(): void;
  isRecording(): boolean;
}

/** Per-level line counts, reported in the wide event. */
export interface LogCounts {
  error: number;
  warn: number;
  info: number;
  debug: number;
}

/** Everything one invocation carries while it runs. Mutable fields are written only by their owner. */
export interface InvocationState {
  readonly traceId: string;
  readonly spanId: string;
  /** The AWS request id: `faas.invocation_id`. */
  readonly invocationId: string;
  /** The caller's `X-Request-ID`, else the AWS request id. */
  readonly requestId: string;
  readonly serviceName: string;
  readonly coldStart: boolean;
  readonly trigger: string;
  /** `performance.now()` at open. */
  readonly startedAt: number;
  /** Fields added with `annotate()`; they go into the wide event. */
  readonly fields: Record<string, unknown>;
  readonly logCounts: LogCounts;
  /** Child spans started in this invocation and not yet ended (ended with a timeout status if it times out). */
  readonly openSpans: Set<OpenSpan>;
  /** Debug lines held back until the outcome is known (owned by logs/). */
  debugBuffer: string[] | undefined;
  debugBufferBytes: number;
  /** The correlation fields of this invocation's log lines, built at its first line (owned by logs/emit.ts). */
  logCorrelation?: unknown;
  /** True once the invocation was closed (success, error or timeout); later logs still carry its ids. */
  closed: boolean;
}

/** The ids of the current invocation, as `currentInvocation()` returns them. */
export interface InvocationIds {
  readonly traceId: string;
  readonly spanId: string;
  readonly invocationId: string;
  readonly requestId: string;
  readonly coldStart: boolean;
  readonly trigger: string;
}

/** What the storage holds: the invocation (if any) and the active OpenTelemetry context. */
interface Frame {
  readonly invocation: InvocationState | undefined;
  readonly otel: Context;
}

// `getBuiltinModule` rather than an ESM import, as everywhere on the cold-start path: an ESM import
// of a builtin builds a namespace facade that costs milliseconds at every cold start.
const { AsyncLocalStorage } = process.getBuiltinModule('node:async_hooks') as typeof AsyncHooks;
const storage = new AsyncLocalStorage<Frame>();

/** The state of the invocation whose async context we are in, or undefined outside one. */
export function currentState(): InvocationState | undefined {
  return storage.getStore()?.invocation;
}

/** Run `fn` inside the invocation's async context, with `otel` (holding the invocation span) active. */
export function runInInvocation<T>(state: InvocationState, otel: Context, fn: () => T): T {
  return storage.run({ invocation: state, otel }, fn);
}

/**
 * Run `fn` outside any invocation: our own exports (span export, Pushgateway push) must not be
 * traced or get the invocation's headers injected, even when the adapter (middy) flushes from
 * inside the invocation's context.
 */
export function runOutsideInvocation<T>(fn: () => T): T {
  return storage.run({ invocation: undefined, otel: ROOT_CONTEXT }, fn);
}

/**
 * Make the invocation current for the rest of the current synchronous execution and everything it
 * schedules. Only for adapters that cannot wrap the call (middy's `before` hook).
 */
export function enterInvocation(state: InvocationState, otel: Context): void {
  storage.enterWith({ invocation: state, otel });
}

/**
 * OpenTelemetry's ContextManager on top of the same storage. `with` keeps the invocation of the
 * enclosing frame, so a child span's context still knows which invocation it belongs to.
 */
export const invocationContextManager: ContextManager = {
  active: () => storage.getStore()?.otel ?? ROOT_CONTEXT,
  with(otel, fn, thisArg, ...args) {
    const invocation = storage.getStore()?.invocation;
    return storage.run({ invocation, otel }, () => fn.apply(thisArg, args));
  },
  bind(otel, target) {
    if (typeof target !== 'function') return target;
    const manager = this;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    return function bound(this: unknown, ...args: unknown[]) {
      return manager.with(otel, () => fn.apply(this, args));
    } as unknown as typeof target;
  },
  enable() {
    return this;
  },
  disable() {
    storage.disable();
    return this;
  },
};

/**
 * The ids of the current invocation, or undefined when called outside one.
 * @example
 * const ids = currentInvocation();
 * await fetch(url, { headers: { 'x-request-id': ids?.requestId ?? '' } });
 */
export function currentInvocation(): InvocationIds | undefined {
  const state = storage.getStore()?.invocation;
  if (!state) return undefined;
  return {
    traceId: state.traceId,
    spanId: state.spanId,
    invocationId: state.invocationId,
    requestId: state.requestId,
    coldStart: state.coldStart,
    trigger: state.trigger,
  };
}

/** How an invocation ended. */
export type Outcome = 'success' | 'error' | 'timeout';

/** The facts about a finished invocation that metrics and the wide event record. */
export interface InvocationSummary {
  readonly trigger: string;
  readonly outcome: Outcome;
  readonly durationMs: number;
  readonly coldStart: boolean;
  /** Set when the outcome is `error` (the exception's type) or `timeout` (`timeout`). */
  readonly errorType: string | undefined;
  /** HTTP route template, never a raw path (bounded cardinality). */
  readonly httpRoute: string | undefined;
  readonly httpStatusCode: number | undefined;
}
