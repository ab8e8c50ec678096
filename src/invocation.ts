/**
 * THE lifecycle of one invocation: open → run the handler → close → flush.
 *
 * This is the only module that knows every signal. The adapters (`observe`, the middy middleware,
 * the layer) call it and hold no telemetry logic of their own. Every step that touches telemetry
 * is guarded: if something of ours fails, the handler still runs and its result or error is
 * passed through untouched.
 */
import { SpanKind, SpanStatusCode, trace, type Context as OtelContext, type Span } from '@opentelemetry/api';
import { currentXrayTraceHeader, readEnv, resolveConfig, type Config, type ObserveOptions } from './config.ts';
import {
  runInInvocation,
  runOutsideInvocation,
  type InvocationState,
  type InvocationSummary,
  type Outcome,
} from './context.ts';
import { environmentEventFields } from './event/annotate.ts';
import { buildWideEvent } from './event/wide-event.ts';
import { flushWithin, type FlushTask } from './flush.ts';
import { httpStatusOf, requestIdOf, withRequestIdHeader } from './http-exchange.ts';
import { connectFlushHold, flushHeld, notifyFlushed } from './layer/flush-hold.ts';
import { configureLogs } from './logs/configure.ts';
import { settleDebugBuffer } from './logs/debug-buffer.ts';
import { emitLog, emitRecord } from './logs/emit.ts';
import { writeLine } from './logs/line-writer.ts';
import { errorToData, errorType } from './logs/safe-json.ts';
import { INTERNAL_LOGGER, warnOnce } from './logs/warn-once.ts';
import { createMetrics, preloadMetrics, type Metrics } from './metrics/metrics.ts';
import { resourceAttributes } from './resource.ts';
import { extractLinks, extractParent } from './traces/parent.ts';
import { createTracing, preloadTracing, type Tracing } from './traces/tracing.ts';
import { detectTrigger } from './triggers/detect.ts';
import type { TriggerInfo } from './triggers/types.ts';

/** The parts of the Lambda context we read. Every field may be missing: callers pass anything. */
export interface LambdaContextLike {
  awsRequestId?: string;
  functionName?: string;
  functionVersion?: string;
  invokedFunctionArn?: string;
  getRemainingTimeInMillis?: () => number;
  clientContext?: unknown;
}

/** The signals, built once per execution environment from the first resolved config. */
interface Telemetry {
  readonly config: Config;
  readonly tracing: Tracing;
  readonly metrics: Metrics;
}

/** Below this, a flush is not attempted at all: there is no time to send anything. */
const MIN_FLUSH_BUDGET_MS = 5;
/** What the timeout path leaves between its flush and Lambda's hard deadline. */
const TIMEOUT_SAFETY_MS = 50;
/** An environment first invoked this long after our module loaded was initialised proactively, not cold. */
const PROACTIVE_INIT_THRESHOLD_MS = 10_000;

const loadedAt = performance.now();
let coldStartPending = true;
let telemetry: Telemetry | undefined;
const pendingFlushes = new Set<Promise<void>>();

/**
 * A wrapper's config, resolved once at wrap time: code options fail loudly there, and the selected
 * exporters start loading during init rather than in the first invocation.
 */
export function prepareConfig(options: ObserveOptions | undefined): Config {
  const config = resolveConfig(options, readEnv());
  preloadExporters(config);
  // Async flush needs the layer's extension to hold the freeze: connect while still in init.
  if (config.flushMode === 'async') void connectFlushHold(config.env.AWS_LAMBDA_RUNTIME_API);
  return config;
}

/**
 * Start loading the exporters `config` selects and opening their connections, while Lambda is
 * still in INIT. Idempotent: each module and each origin starts once, whoever asks again.
 */
export function preloadExporters(config: Config): void {
  preloadTracing(config);
  preloadMetrics(config.metrics);
}

/**
 * Run one invocation of `callHandler` with full telemetry. Resolves with the handler's own result
 * (plus an `X-Request-ID` response header for HTTP) or rejects with the very same error object.
 */
export function runInvocation<R>(
  config: Config,
  event: unknown,
  lambdaContext: LambdaContextLike | undefined,
  callHandler: () => R | Promise<R>,
): Promise<R> {
  const invocation = openInvocation(config, event, lambdaContext);
  if (!invocation) return promiseOf(callHandler);
  // Chained rather than an async function with an await: one promise per invocation instead of
  // two (the async function's and the await's), each of which runs the async hooks on Node 22.
  return invocation.run(callHandler).then(
    (result) => {
      const response = invocation.decorateResponse(result);
      // Nothing to flush (exporters off) settles synchronously: no extra promise.
      const finished = invocation.finish({ result: response });
      return finished === SETTLED ? response : finished.then(() => response);
    },
    (error: unknown) =>
      invocation.finish({ error }).then(() => {
        throw error;
      }),
  );
}

/** What `finish()` returns when the close had nothing asynchronous to do. */
const SETTLED: Promise<void> = Promise.resolve();

/** Open an invocation, or return undefined (and warn) if our own setup fails: the handler must run anyway. */
export function openInvocation(
  config: Config,
  event: unknown,
  lambdaContext: LambdaContextLike | undefined,
): ActiveInvocation | undefined {
  try {
    return new ActiveInvocation(ensureTelemetry(config), config, event, lambdaContext ?? {});
  } catch (error) {
    warnOnce('lifecycle:open', 'lambda-observe could not open the invocation; the handler runs without telemetry', {
      exception: error,
    });
    return undefined;
  }
}

/** Wait for flushes that `flushMode: 'async'` left running (the SIGTERM shutdown does, before its final flush). */
export async function settlePendingFlushes(): Promise<void> {
  while (pendingFlushes.size > 0) await Promise.allSettled([...pendingFlushes]);
}

/** Flush and shut every signal down, within `budgetMs`. Idempotent: later calls join the first. */
export function shutdownTelemetry(budgetMs: number): Promise<void> {
  const current = telemetry;
  if (!current) return Promise.resolve();
  shuttingDown ??= shutdownSignals(current, budgetMs);
  return shuttingDown;
}

let shuttingDown: Promise<void> | undefined;

async function shutdownSignals(current: Telemetry, budgetMs: number): Promise<void> {
  await settlePendingFlushes();
  const report = await flushWithin(
    [
      { name: 'traces', run: () => current.tracing.shutdown() },
      { name: 'metrics', run: () => current.metrics.shutdown(budgetMs) },
    ],
    budgetMs,
  );
  reportFlushProblems(report.failed, report.timedOut, 'shutdown');
}

/**
 * Build the signals now, during init, from env and `options`. The layer does this before it loads
 * the function's module: a tracer that module takes at load time from its own copy of
 * `@opentelemetry/api` stays a no-op for good unless our provider is registered first. Never throws.
 */
export function initTelemetry(options?: ObserveOptions): void {
  try {
    ensureTelemetry(resolveConfig(options));
  } catch (error) {
    warnOnce('lifecycle:init', 'lambda-observe could not set up telemetry during init; it tries again at the first invocation', { exception: error });
  }
}

function ensureTelemetry(config: Config): Telemetry {
  if (telemetry) return telemetry;
  for (const warning of readEnv().warnings) warnOnce(`env:${warning}`, warning);
  configureLogs(config);
  const resource = resourceAttributes(config);
  telemetry = {
    config,
    tracing: createTracing(config, { resource, warn: warnOnce, writeLine }),
    metrics: createMetrics(config, { resource, warn: warnOnce }),
  };
  exitAfterShutdownOnSigterm(config);
  return telemetry;
}

/**
 * What the SIGTERM shutdown may take. Lambda's shutdown phase allows 2 s with an external extension
 * (the layer's), but the runtime gets only part of it (the local emulator follows Lambda's API
 * server: 30 %, 600 ms) before it is SIGKILLed; the rest is the extensions'.
 */
const SIGTERM_BUDGET_MS = 500;
let sigtermHooked = false;

/**
 * Lambda sends SIGTERM before it shuts an environment down (when an extension is registered, as
 * the layer's is): flush and shut every signal down — the final metrics push and the deletion of
 * the environment's Pushgateway group — then exit, as SIGTERM's default would have. Listening
 * replaces that default; if someone else also listens (the user's own cleanup), they decide when
 * the process ends.
 */
function exitAfterShutdownOnSigterm(config: Config): void {
  if (sigtermHooked) return;
  sigtermHooked = true;
  process.once('SIGTERM', () => {
    void shutdownTelemetry(Math.min(config.flushTimeoutMs, SIGTERM_BUDGET_MS)).finally(() => {
      // Re-raised, not process.exit(): under the Lambda runtime client exit() hangs until SIGKILL
      // (node joins its worker threads, one of which is blocked in the native long-poll of `next`).
      // With no listener left, SIGTERM's default action ends the process at once.
      if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
    });
  });
}

/** How the handler ended, as the adapters report it. */
export type Completion = { result: unknown; error?: undefined } | { error: unknown; result?: undefined };

/**
 * One invocation in flight. A class because it has a lifecycle: opened, then closed exactly once
 * (by completion, error or the pre-timeout timer, whichever comes first), then flushed.
 */
export class ActiveInvocation {
  readonly state: InvocationState;
  readonly otelContext: OtelContext;
  readonly #telemetry: Telemetry;
  readonly #config: Config;
  readonly #lambdaContext: LambdaContextLike;
  readonly #trigger: TriggerInfo;
  readonly #span: Span;
  #timeoutTimer: NodeJS.Timeout | undefined;
  #finished: Promise<void> | undefined;
  /** The extension held freezes when this invocation opened (it acknowledged before Lambda sent it this INVOKE). */
  readonly #heldAtOpen = flushHeld();
  /** Whether a flush has anything to deliver (fixed by the config), asked once per invocation. */
  readonly #exports: boolean;

  constructor(telemetry: Telemetry, config: Config, event: unknown, lambdaContext: LambdaContextLike) {
    this.#telemetry = telemetry;
    this.#config = config;
    this.#lambdaContext = lambdaContext;
    this.#exports = exportsAnything(config);
    const startedAt = performance.now();
    const functionName = stringOr(lambdaContext.functionName, config.functionName);
    const trigger = detectTrigger(event, { functionName, clientContext: lambdaContext.clientContext });
    this.#trigger = trigger;
    for (const warning of trigger.warnings) warnOnce(`trigger:${warning}`, warning);

    // Reading process.env costs about a microsecond per lookup: only when X-Ray parents are on.
    const xrayHeader = config.xrayParent ? currentXrayTraceHeader() : undefined;
    const parent = extractParent(trigger.parentCarrier, config.xrayParent, xrayHeader);
    if (parent.malformed) {
      warnOnce(`traceparent:${trigger.source}`, `${trigger.source}: malformed traceparent ignored; the invocation starts a new trace`, {
        traceparent: trigger.parentCarrier?.traceparent?.slice(0, 64),
      });
    }
    const invocationId = this.#awsRequestId();
    const coldStart = takeColdStart(config);
    this.#span = telemetry.tracing.tracer.startSpan(
      trigger.spanName ?? functionName,
      {
        kind: trigger.spanKind === 'consumer' ? SpanKind.CONSUMER : SpanKind.SERVER,
        links: extractLinks(trigger.linkCarriers),
      },
      parent.context,
    );
    // Set after the start rather than passed to it: the SDK validates start attributes twice (before
    // and after sampling, a WeakSet and a copy each time), setAttributes once; the samplers of
    // OTEL_TRACES_SAMPLER and our span processors do not read attributes at start, and the span ends
    // up with the same attributes in the same order. Redacted once, when the span ends and before
    // any exporter sees it (traces/redact-spans.ts). Set one group after the other, not merged
    // first: a key set again keeps its first place and takes the later value either way.
    const span = this.#span;
    span.setAttributes(trigger.attributes);
    span.setAttribute('faas.trigger', trigger.trigger);
    span.setAttribute('faas.invocation_id', invocationId);
    span.setAttribute('faas.coldstart', coldStart);
    span.setAttributes(arnAttributes(lambdaContext.invokedFunctionArn));
    const spanContext = this.#span.spanContext();
    this.otelContext = trace.setSpan(parent.context, this.#span);
    this.state = {
      traceId: spanContext.traceId,
      spanId: spanContext.spanId,
      invocationId,
      requestId: requestIdFrom(trigger, invocationId),
      serviceName: config.serviceName,
      coldStart,
      trigger: trigger.trigger,
      startedAt,
      fields: {},
      logCounts: { error: 0, warn: 0, info: 0, debug: 0 },
      openSpans: new Set(),
      debugBuffer: undefined,
      debugBufferBytes: 0,
      logCorrelation: undefined,
      closed: false,
    };
    this.#armTimeout();
  }

  /** Run `fn` (the handler) inside this invocation's context. */
  run<R>(fn: () => R | Promise<R>): Promise<R> {
    return runInInvocation(this.state, this.otelContext, () => promiseOf(fn));
  }

  /** Add the request id to an HTTP response that does not carry one; anything else is returned as is. */
  decorateResponse<R>(result: R): R {
    if (!this.#config.responseRequestId || !this.#trigger.http) return result;
    return withRequestIdHeader(result, this.state.requestId);
  }

  /** Close (unless the timeout already did) and flush. Idempotent; never rejects. */
  finish(completion: Completion): Promise<void> {
    this.#finished ??= this.#close(outcomeOf(completion), completion);
    return this.#finished;
  }

  #awsRequestId(): string {
    const id = this.#lambdaContext.awsRequestId;
    if (typeof id === 'string' && id) return id;
    warnOnce('context:awsRequestId', 'the Lambda context has no awsRequestId; a random id stands in');
    return crypto.randomUUID();
  }

  #remainingMs(): number | undefined {
    try {
      const remaining = this.#lambdaContext.getRemainingTimeInMillis?.();
      return typeof remaining === 'number' && Number.isFinite(remaining) ? remaining : undefined;
    } catch {
      return undefined;
    }
  }

  #armTimeout(): void {
    const remaining = this.#remainingMs();
    if (remaining === undefined) {
      if (typeof this.#lambdaContext.getRemainingTimeInMillis !== 'function') {
        warnOnce('context:remaining', 'the Lambda context has no getRemainingTimeInMillis(); timeouts cannot be detected early');
      }
      return;
    }
    const delay = Math.max(0, remaining - this.#config.timeoutMarginMs);
    this.#timeoutTimer = setTimeout(() => {
      this.#finished ??= this.#close('timeout', { error: undefined });
    }, delay);
    this.#timeoutTimer.unref();
  }

  /** Returns SETTLED when nothing is left to wait for: fewer promises per invocation (each one runs the async hooks). */
  #close(outcome: Outcome, completion: Completion): Promise<void> {
    clearTimeout(this.#timeoutTimer);
    try {
      this.#recordClose(outcome, completion);
    } catch (error) {
      warnOnce('lifecycle:close', 'lambda-observe failed while closing an invocation', { exception: error });
    }
    if (this.#config.flushMode === 'async' && outcome !== 'timeout' && this.#asyncFlushHeld()) {
      // Started on the next turn of the event loop: begun here, the exporters' serialization and
      // request setup would run in microtasks ahead of the response reaching the runtime.
      const flush = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#flush(outcome));
      pendingFlushes.add(flush);
      void flush.finally(() => {
        pendingFlushes.delete(flush);
        notifyFlushed(this.state.invocationId);
      });
      return SETTLED;
    }
    // Nothing configured to send: no budget, timer and promises to pay for on every invocation.
    if (!this.#exports) {
      notifyFlushed(this.state.invocationId);
      return SETTLED;
    }
    return this.#flush(outcome).then(() => notifyFlushed(this.state.invocationId));
  }

  /**
   * Answering before the export is safe only while the layer's extension keeps the environment
   * from freezing until the flush is done; without it, async would mean telemetry frozen
   * mid-export (sent at the next thaw, or lost at shutdown), so the flush runs first, as in sync.
   */
  #asyncFlushHeld(): boolean {
    if (this.#heldAtOpen && flushHeld()) return true;
    warnOnce(
      'flush:async-without-extension',
      'flushMode async needs the lambda-observe layer\'s extension with LAMBDA_OBSERVE_FLUSH_MODE=async in the function\'s environment; telemetry is flushed before the response instead',
    );
    return false;
  }

  #recordClose(outcome: Outcome, completion: Completion): void {
    const state = this.state;
    const durationMs = performance.now() - state.startedAt;
    const error = completion.error;
    const exception = outcome === 'error' ? exceptionFields(error) : undefined;
    const statusCode = outcome === 'success' ? httpStatusOf(this.#trigger, completion.result) : undefined;
    const summary: InvocationSummary = {
      trigger: state.trigger,
      outcome,
      durationMs,
      coldStart: state.coldStart,
      errorType: outcome === 'timeout' ? 'timeout' : exception?.type,
      httpRoute: this.#trigger.http?.route,
      httpStatusCode: statusCode,
    };
    this.#closeSpans(outcome, error, statusCode);
    this.#writeOutcomeLog(outcome, error, durationMs);
    state.closed = true;
    this.#telemetry.metrics.record(summary);
    const wideEvent = buildWideEvent({
      state,
      summary,
      serviceName: this.#config.serviceName,
      serviceVersion: this.#config.serviceVersion,
      functionName: this.#config.functionName,
      functionVersion: this.#config.functionVersion,
      region: this.#config.region,
      eventSource: this.#trigger.source,
      httpMethod: this.#trigger.http?.method,
      triggerAttributes: this.#trigger.attributes,
      persistentFields: [this.#config.fields, environmentEventFields()],
      exception,
    });
    emitRecord(wideEvent.envelope, wideEvent.details);
    this.#span.end();
  }

  #closeSpans(outcome: Outcome, error: unknown, statusCode: number | undefined): void {
    const span = this.#span;
    if (statusCode !== undefined) {
      span.setAttribute('http.response.status_code', statusCode);
      if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    if (outcome === 'error') {
      // Messages and stacks can quote secrets: the span redactor (traces/redact-spans.ts) masks the
      // exception event and the status message when the span ends, before any exporter sees them.
      const type = errorType(error);
      const message = messageOf(error);
      const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : undefined;
      span.recordException({ name: type, message, stack });
      span.setAttribute('error.type', type);
      span.setStatus({ code: SpanStatusCode.ERROR, message });
    } else if (outcome === 'timeout') {
      // Lambda kills the process at the deadline: end what is still open now, or it is never exported.
      for (const child of this.state.openSpans) {
        child.setAttribute('error.type', 'timeout');
        child.setStatus({ code: SpanStatusCode.ERROR, message: 'invocation timed out' });
        child.end();
      }
      this.state.openSpans.clear();
      span.setAttribute('error.type', 'timeout');
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'invocation timed out' });
    }
  }

  #writeOutcomeLog(outcome: Outcome, error: unknown, durationMs: number): void {
    // A success writes nothing (its buffered debug lines are dropped): no context to enter.
    if (outcome === 'success') {
      settleDebugBuffer(this.state, false);
      return;
    }
    const run = () => {
      // Buffered debug lines come out (in order) before the error line.
      settleDebugBuffer(this.state, true);
      if (outcome === 'error') {
        emitLog('error', INTERNAL_LOGGER, 'invocation failed', { exception: error });
      } else if (outcome === 'timeout') {
        emitLog('error', INTERNAL_LOGGER, 'invocation timed out', {
          duration_ms: Math.round(durationMs),
          remaining_ms: this.#remainingMs(),
          open_spans: this.state.openSpans.size,
        });
      }
    };
    runInInvocation(this.state, this.otelContext, run);
  }

  async #flush(outcome: Outcome): Promise<void> {
    if (!this.#exports) return;
    const remaining = this.#remainingMs();
    const cap = this.#config.flushTimeoutMs;
    let budget = cap;
    if (remaining !== undefined) {
      const normal = remaining - this.#config.timeoutMarginMs;
      budget = Math.min(cap, outcome === 'timeout' || normal <= 0 ? remaining - TIMEOUT_SAFETY_MS : normal);
    }
    if (budget < MIN_FLUSH_BUDGET_MS) {
      warnOnce('flush:no-time', 'no time left to flush telemetry before the deadline; it is sent with the next flush');
      return;
    }
    const tasks: FlushTask[] = [
      { name: 'traces', run: () => this.#telemetry.tracing.flush(budget) },
      { name: 'metrics', run: () => this.#telemetry.metrics.flush(budget) },
    ];
    const report = await runOutsideInvocation(() => flushWithin(tasks, budget));
    reportFlushProblems(report.failed, report.timedOut, 'flush');
  }
}

function reportFlushProblems(
  failed: ReadonlyArray<{ name: string; error: unknown }>,
  timedOut: readonly string[],
  phase: string,
): void {
  for (const { name, error } of failed) {
    warnOnce(`${phase}:${name}:failed`, `${phase} of ${name} failed; telemetry for some invocations may be missing`, {
      exception: error,
    });
  }
  for (const name of timedOut) {
    warnOnce(`${phase}:${name}:timeout`, `${phase} of ${name} did not finish within its budget and was abandoned`);
  }
}

/** Whether a flush has anything to deliver: console spans are written when they end, and `none` sends nothing. */
function exportsAnything(config: Config): boolean {
  return config.tracesExporter.some((name) => name === 'otlp' || name === 'zipkin') || config.metrics.exporters.some((name) => name !== 'none');
}

function takeColdStart(config: Config): boolean {
  if (!coldStartPending) return false;
  coldStartPending = false;
  if (config.initializationType === 'provisioned-concurrency') return false;
  return performance.now() - loadedAt < PROACTIVE_INIT_THRESHOLD_MS;
}

/** `fn()` as a promise; a synchronous throw becomes a rejection (as an async wrapper would, without its extra promise). */
function promiseOf<R>(fn: () => R | Promise<R>): Promise<R> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}

function outcomeOf(completion: Completion): Outcome {
  return 'error' in completion && completion.error !== undefined ? 'error' : 'success';
}

function exceptionFields(error: unknown): { type: string; message: string; stacktrace: string | undefined } {
  if (error instanceof Error) {
    const data = errorToData(error);
    return { type: String(data.type), message: String(data.message), stacktrace: data.stacktrace as string | undefined };
  }
  return { type: errorType(error), message: messageOf(error), stacktrace: undefined };
}

function messageOf(error: unknown): string {
  try {
    if (error instanceof Error) return error.message;
    return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** The invoked ARN is the same for nearly every invocation of an environment: parse it once. */
let lastArn: { arn: string; attributes: Record<string, string> } | undefined;

function arnAttributes(arn: string | undefined): Record<string, string> {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) return {};
  if (lastArn?.arn === arn) return lastArn.attributes;
  lastArn = { arn, attributes: parseArnAttributes(arn) };
  return lastArn.attributes;
}

function parseArnAttributes(arn: string): Record<string, string> {
  const account = arn.split(':')[4];
  return account ? { 'cloud.resource_id': arn, 'cloud.account.id': account } : { 'cloud.resource_id': arn };
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value ? value : fallback;
}

function requestIdFrom(trigger: TriggerInfo, invocationId: string): string {
  const { requestId, malformed } = requestIdOf(trigger.http?.headers, invocationId);
  if (malformed) {
    warnOnce('x-request-id:malformed', 'an X-Request-ID header was not a printable token of at most 200 characters; the AWS request id is used');
  }
  return requestId;
}
