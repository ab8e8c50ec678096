/**
 * A sink whose module is imported on demand: the Pushgateway sink (serializer, HTTP client) and
 * the OTLP sink are loaded only in environments configured to push, so the others do not load
 * or compile them at cold start. The import starts when the sink is created (at telemetry build),
 * so a push rarely waits for it.
 */
import type { MetricsSink } from './push-scheduler.ts';

/** `name` is the sink's own name (the failure counter's `exporter` label) for when its module cannot be loaded. */
export function lazySink(name: string, load: () => Promise<MetricsSink>): MetricsSink {
  let loaded: MetricsSink | undefined;
  const sink = load().then((instance) => (loaded = instance));
  sink.catch(() => undefined);
  const unavailable = (error: unknown) => ({ reason: 'network' as const, detail: `could not load the ${name} sink: ${String(error)}` });
  return {
    name,
    get target() {
      return loaded?.target;
    },
    async export(resourceMetrics, deadline) {
      let instance: MetricsSink;
      try {
        instance = await sink;
      } catch (error) {
        return unavailable(error);
      }
      return instance.export(resourceMetrics, deadline);
    },
    async shutdown(deadline) {
      let instance: MetricsSink;
      try {
        instance = await sink;
      } catch (error) {
        return unavailable(error);
      }
      return instance.shutdown(deadline);
    },
  };
}
