/**
 * Delivery that a down backend cannot turn into slow invocations.
 *
 * Wraps a lazily loaded exporter with: a deadline per export (the exporter's own timeout, or the
 * invocation's flush budget if sooner — the Zipkin exporter has no timeout at all), a count of the
 * spans that did not make it, one warning per environment, and a circuit breaker: after repeated
 * failures exports are skipped (spans dropped and counted) for a cool-down that doubles while the
 * backend stays down, so a blackholed collector costs the budget twice, not on every invocation.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** Why spans were dropped: the label of `lambda_observe.spans_dropped`. */
export type DropReason = 'export_failed' | 'timeout' | 'backoff';

export interface GuardOptions {
  /** Exporter name, for messages and the dropped-spans counter (`otlp`, `zipkin`). */
  readonly name: string;
  /** Where it sends to, without credentials (for the warning). */
  readonly endpoint: string;
  /** Resolves with the real exporter; called once, on the first export. */
  readonly load: () => Promise<SpanExporter>;
  /** Longest wait for one export. */
  readonly timeoutMs: number;
  readonly warn: (key: string, message: string, fields?: Record<string, unknown>) => void;
  readonly onDropped: (count: number, reason: DropReason) => void;
  /** Consecutive failed exports that open the breaker. Default 2. */
  readonly failureThreshold?: number;
  /** First cool-down; doubles on each failed retry up to `maxCooldownMs`. Defaults 30 s and 5 min. */
  readonly cooldownMs?: number;
  readonly maxCooldownMs?: number;
  /** Wall clock (keeps counting while Lambda freezes the process). Injected by tests. */
  readonly now?: () => number;
}

export interface GuardedExporter extends SpanExporter {
  /**
   * Exports started until the next call give up at `at` (epoch ms) if that is sooner than their
   * own timeout: the invocation's flush budget. `undefined` clears it.
   */
  setDeadline(at: number | undefined): void;
  /** True while exports are skipped after repeated failures. */
  backingOff(): boolean;
}

const DEFAULT_FAILURE_THRESHOLD = 2;
const DEFAULT_COOLDOWN_MS = 30_000;
const DEFAULT_MAX_COOLDOWN_MS = 300_000;
/** A give-up after a shorter wait (a flush near the function's deadline) is not the backend's fault. */
const MIN_BLAMED_WAIT_MS = 200;

export function createGuardedExporter(options: GuardOptions): GuardedExporter {
  const now = options.now ?? Date.now;
  const threshold = options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD;
  const firstCooldown = options.cooldownMs ?? DEFAULT_COOLDOWN_MS;
  const maxCooldown = options.maxCooldownMs ?? DEFAULT_MAX_COOLDOWN_MS;
  let exporter: Promise<SpanExporter> | undefined;
  let loaded: SpanExporter | undefined;
  let deadline: number | undefined;
  let failures = 0;
  let cooldown = firstCooldown;
  let openUntil = 0;

  const report = (error: unknown, reason: DropReason, count: number, blameBackend = true): void => {
    options.onDropped(count, reason);
    if (reason === 'backoff') return;
    if (!blameBackend) return;
    failures++;
    if (failures >= threshold) {
      openUntil = now() + cooldown;
      cooldown = Math.min(cooldown * 2, maxCooldown);
    }
    options.warn(
      `traces:export:${options.name}`,
      `spans could not be delivered to ${options.name} at ${options.endpoint}; they are dropped and counted in ` +
        `lambda_observe.spans_dropped, and after ${threshold} failures in a row export pauses for a while (this is warned once)`,
      { reason, error: describeError(error) },
    );
  };

  const succeed = (): void => {
    failures = 0;
    cooldown = firstCooldown;
    openUntil = 0;
  };

  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
      const started = now();
      if (started < openUntil) {
        report(undefined, 'backoff', spans.length);
        done({ code: ExportResultCode.FAILED, error: new Error(`${options.name} export paused after repeated failures`) });
        return;
      }
      let settled = false;
      const finish = (result: ExportResult, reason: DropReason, blameBackend = true): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        try {
          if (result.code === ExportResultCode.SUCCESS) succeed();
          else report(result.error, reason, spans.length, blameBackend);
        } finally {
          done(result);
        }
      };
      const giveUpAt = Math.min(started + options.timeoutMs, deadline ?? Infinity);
      const waitMs = Math.max(0, giveUpAt - started);
      const timer = setTimeout(() => {
        // The request may still be in flight; its late answer is ignored (the spans count as dropped).
        // A flush squeezed by the function's own deadline says nothing about the backend: only a
        // real wait feeds the breaker and the warning.
        const error = new Error(`no answer within ${Math.round(waitMs)} ms`);
        finish({ code: ExportResultCode.FAILED, error }, 'timeout', waitMs >= MIN_BLAMED_WAIT_MS);
      }, waitMs);
      timer.unref();
      const send = (target: SpanExporter): void => {
        try {
          target.export(spans, (result) => finish(result, 'export_failed'));
        } catch (error) {
          finish({ code: ExportResultCode.FAILED, error: error as Error }, 'export_failed');
        }
      };
      // Once loaded, straight to the exporter: no promise turn per export.
      if (loaded) return send(loaded);
      exporter ??= options.load().then((ready) => (loaded = ready));
      exporter.then(send, (error: unknown) => finish({ code: ExportResultCode.FAILED, error: error as Error }, 'export_failed'));
    },
    setDeadline(at: number | undefined): void {
      deadline = at;
    },
    backingOff: () => now() < openUntil,
    async shutdown(): Promise<void> {
      if (exporter) await (await exporter.catch(() => undefined))?.shutdown();
    },
    forceFlush: () => Promise.resolve(),
  };
}

/** The error in a warning: its type, message and HTTP status, never request headers. */
function describeError(error: unknown): Record<string, unknown> | undefined {
  if (error === undefined || error === null) return undefined;
  if (!(error instanceof Error)) return { message: String(error).slice(0, 200) };
  const out: Record<string, unknown> = { type: error.name, message: error.message.slice(0, 200) };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number' || typeof code === 'string') out.code = code;
  return out;
}
