/**
 * A MetricReader that only collects when asked. Nothing can scrape a Lambda and a periodic timer
 * does not run in a frozen environment, so the lifecycle pulls once per push and hands the
 * result to the Pushgateway and/or OTLP sinks itself.
 */
import { AggregationTemporality, MetricReader, type MetricReaderOptions } from '@opentelemetry/sdk-metrics';

/** Collects only when `collect()` is called; cumulative temporality for every instrument. */
export class PullMetricReader extends MetricReader {
  constructor(options: Pick<MetricReaderOptions, 'cardinalitySelector'> = {}) {
    // Cumulative: every push carries the environment's totals, so a skipped or failed push loses
    // no count, and a Pushgateway PUT (which replaces the group) is always complete.
    super({ ...options, aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }

  protected override async onForceFlush(): Promise<void> {
    // Pull-only: data leaves when the lifecycle collects, not on flush.
  }

  protected override async onShutdown(): Promise<void> {
    // Nothing buffered, no connection of its own.
  }
}
