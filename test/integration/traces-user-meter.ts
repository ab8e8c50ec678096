/**
 * Imported by traces-scenarios.ts before lambda-observe: with USER_METER=1, registers a
 * MeterProvider of the user's own first, read on demand — how a test sees what lambda-observe
 * records through the global OpenTelemetry metrics API (e.g. lambda_observe.spans_dropped)
 * without depending on how the metrics signal exports it.
 */
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const reader = process.env.USER_METER === '1' ? new PullReader() : undefined;
if (reader) metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

/** Sum of `name` per value of the attribute `by`, as the user's provider collected it. */
export async function collectCounter(name: string, by: string): Promise<Record<string, number>> {
  if (!reader) throw new Error('collectCounter needs USER_METER=1');
  const { resourceMetrics } = await reader.collect();
  const out: Record<string, number> = {};
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints) {
        const key = String(point.attributes[by]);
        out[key] = (out[key] ?? 0) + Number(point.value);
      }
    }
  }
  return out;
}
