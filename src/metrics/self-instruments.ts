/**
 * lambda-observe's own metrics, pushed with the rest: failed pushes, and instruments that hit
 * their cardinality limit. Cumulative, so a failure is visible in the next push that succeeds.
 */
import type { Counter, Meter } from '@opentelemetry/api';

/** The `reason` label of `lambda_observe_push_failures_total`. */
export const PUSH_FAILURE_REASONS = ['timeout', 'network', 'rejected', 'server_error'] as const;
/** One of `PUSH_FAILURE_REASONS`. */
export type PushFailureReason = (typeof PUSH_FAILURE_REASONS)[number];

/** lambda-observe's own instruments. */
export interface SelfInstruments {
  /** `lambda_observe_push_failures_total{exporter, reason}`: pushes whose data did not arrive. */
  readonly pushFailures: Counter;
  /** Record that `metric` (an OTel instrument name) overflowed its cardinality limit. */
  markOverflow(metric: string): boolean;
}

/** Create the self instruments on `meter`. */
export function createSelfInstruments(meter: Meter): SelfInstruments {
  const pushFailures = meter.createCounter('lambda_observe.push.failures', {
    description: 'Metric pushes that failed (the data is cumulative: the next push that succeeds carries it)',
    unit: '{push}',
  });
  const overflowed = new Set<string>();
  const overflow = meter.createObservableGauge('lambda_observe.metric.cardinality_overflow', {
    description: 'Instruments whose attribute sets exceeded the cardinality limit; the excess is in their otel_metric_overflow="true" series',
  });
  overflow.addCallback((result) => {
    for (const metric of overflowed) result.observe(1, { metric });
  });
  return {
    pushFailures,
    markOverflow(metric) {
      if (overflowed.has(metric)) return false;
      overflowed.add(metric);
      return true;
    },
  };
}
