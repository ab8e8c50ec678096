/**
 * The warn-once sink of the metrics signal. The lifecycle injects it (`deps.warn`) when telemetry
 * is built; helpers that users call directly (the enum gauge) reach it here, because metrics/
 * must not import logs/.
 */

export type MetricsWarn = (key: string, message: string, fields?: Record<string, unknown>) => void;

let sink: MetricsWarn | undefined;

/** Install the lifecycle's warn-once function. */
export function setMetricsWarn(warn: MetricsWarn): void {
  sink = warn;
}

/** Warn once per key. Before telemetry is built there is nowhere to write to, and a diagnostic must never throw. */
export function metricsWarn(key: string, message: string, fields?: Record<string, unknown>): void {
  try {
    sink?.(key, message, fields);
  } catch {
    // A diagnostic must never become the failure.
  }
}
