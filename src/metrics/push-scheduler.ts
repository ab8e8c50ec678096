/**
 * When metrics leave the environment: the push policy, push ordering, back-off after failures,
 * and the final push at shutdown.
 *
 * Policy: `intervalMs` 0 pushes after every invocation (a Prometheus query sees every invocation
 * within one scrape); a larger value pushes at most that often, skipping the push of invocations
 * in between. Nothing is lost by skipping: the data is cumulative, so the next push carries the
 * skipped counts (and the shutdown push carries the rest). Timers are not used: a frozen
 * environment runs none, so a push can only happen at the end of an invocation or at shutdown.
 *
 * Ordering: at most one push is in flight. PUTs of cumulative values that overtook each other
 * would move a counter backwards, which Prometheus reads as a reset. Flushes that arrive while a
 * push runs share one queued push, which collects fresh data when it starts.
 */
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { PushFailure } from './pushgateway-client.ts';

/** Where collected metrics go (the Pushgateway, an OTLP endpoint). */
export interface MetricsSink {
  /** `pushgateway` or `otlp`: the `exporter` label of the failure counter. */
  readonly name: string;
  /** Where it sends, for diagnostics (never with credentials). */
  readonly target?: string;
  /** Deliver `resourceMetrics` by `deadline` (`performance.now()` time). Never rejects. */
  export(resourceMetrics: ResourceMetrics, deadline: number): Promise<PushFailure>;
  /** After the final export: release the sink (the Pushgateway sink deletes its group). Never rejects. */
  shutdown(deadline: number): Promise<PushFailure>;
}

/** What the scheduler pushes, where, and how often. */
export interface PushSchedulerOptions {
  readonly sinks: readonly MetricsSink[];
  readonly intervalMs: number;
  /** Collect everything recorded so far (cumulative). */
  collect(timeoutMs: number): Promise<ResourceMetrics>;
  /** A sink failed (count it, warn once). */
  onFailure(sink: MetricsSink, phase: 'push' | 'shutdown', failure: NonNullable<PushFailure>): void;
}

/** Below this much time left, a push is not started: it could not finish. */
const MIN_PUSH_MS = 5;
/** After a failure a sink rests, doubling from this … */
const BACKOFF_MIN_MS = 1_000;
/** … to this: a down Pushgateway is retried at most once a minute, not on every invocation. */
const BACKOFF_MAX_MS = 60_000;

interface SinkState {
  readonly sink: MetricsSink;
  backoffMs: number;
  restUntil: number;
}

/** The push policy of one environment (see the module doc). A class: it holds the push queue and back-off state. */
export class PushScheduler {
  readonly #options: PushSchedulerOptions;
  readonly #sinks: SinkState[];
  #lastStart = Number.NEGATIVE_INFINITY;
  #tail: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: PushSchedulerOptions) {
    this.#options = options;
    this.#sinks = options.sinks.map((sink) => ({ sink, backoffMs: 0, restUntil: 0 }));
  }

  /** Push if the policy says so, within `budgetMs`. Never rejects. */
  flush(budgetMs: number): Promise<void> {
    if (this.#closing || this.#sinks.length === 0) return Promise.resolve();
    const now = performance.now();
    if (now - this.#lastStart < this.#options.intervalMs) return Promise.resolve();
    this.#queued ??= this.#enqueue(now + budgetMs, false);
    return this.#queued;
  }

  /** A final push regardless of policy and back-off, then the sinks' shutdown. Idempotent; never rejects. */
  shutdown(budgetMs: number): Promise<void> {
    this.#closing ??= (async () => {
      const deadline = performance.now() + budgetMs;
      await this.#enqueue(deadline, true);
      await Promise.all(
        this.#sinks.map(async ({ sink }) => {
          const failure = await sink.shutdown(deadline).catch(unexpected);
          if (failure) this.#options.onFailure(sink, 'shutdown', failure);
        }),
      );
    })();
    return this.#closing;
  }

  #enqueue(deadline: number, final: boolean): Promise<void> {
    const run: Promise<void> = this.#tail.then(() => {
      if (this.#queued === run) this.#queued = undefined;
      return this.#pushOnce(deadline, final);
    });
    this.#tail = run;
    return run;
  }

  #pushOnce(deadline: number, final: boolean): Promise<void> {
    const started = performance.now();
    this.#lastStart = started;
    const active = this.#sinks.filter((s) => final || s.restUntil <= started);
    if (active.length === 0 || deadline - started < MIN_PUSH_MS) return Promise.resolve();
    // Plain promise callbacks, not an async function: a suspended async frame would keep the
    // collected data alive across the HTTP round trip (surviving scavenges, promoted). The sinks
    // serialize before their first wait, so the data dies young once they have started.
    return this.#options.collect(deadline - started).then(
      (data) => this.#exportAll(active, data, deadline),
      (error: unknown) => {
        for (const { sink } of active) this.#options.onFailure(sink, 'push', unexpected(error)!);
      },
    );
  }

  /** No closure is created here: one would share a context that holds `data` until the sinks finish. */
  #exportAll(active: readonly SinkState[], data: ResourceMetrics, deadline: number): Promise<void> {
    const exports: Promise<void>[] = [];
    for (const state of active) exports.push(this.#export(state, data, deadline));
    return Promise.all(exports).then(ignore);
  }

  /** One sink's export; `data` is not captured by the callback, so it is not kept while the sink waits. */
  #export(state: SinkState, data: ResourceMetrics, deadline: number): Promise<void> {
    return state.sink
      .export(data, deadline)
      .catch(unexpected)
      .then((failure) => {
        if (!failure) {
          state.backoffMs = 0;
          state.restUntil = 0;
          return;
        }
        state.backoffMs = Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, state.backoffMs * 2));
        state.restUntil = performance.now() + state.backoffMs;
        this.#options.onFailure(state.sink, 'push', failure);
      });
  }
}

function ignore(): void {}

function unexpected(error: unknown): PushFailure {
  return { reason: 'network', detail: error instanceof Error ? error.message : String(error) };
}
