/**
 * The metrics signal: automatic FaaS metrics recorded from each invocation's summary, the global
 * MeterProvider that user code reaches through `metrics.getMeter()` (see provider.ts), and the
 * push of everything recorded to a Pushgateway and/or an OTLP endpoint under the flush budget.
 */
import type { Config } from '../config.ts';
import type { InvocationSummary } from '../context.ts';
import type { ResourceAttributes } from '../resource.ts';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { recordSummary } from './faas-instruments.ts';
import { environmentInstanceId } from './instance-id.ts';
import { createOtlpSink, loadOtlpMetricExporter } from './otlp-sink.ts';
import { environmentMetrics, type MeterPipeline } from './provider.ts';
import { PushScheduler, type MetricsSink } from './push-scheduler.ts';
import { createPushgatewaySink, loadPrometheusWriter } from './pushgateway-sink.ts';
import { setMetricsWarn, type MetricsWarn } from './warn.ts';
import { preconnect } from '../preconnect.ts';

export { METER_NAME } from './provider.ts';

/** What the lifecycle hands the metrics signal (metrics/ imports neither logs/ nor traces/). */
export interface MetricsDeps {
  readonly resource: ResourceAttributes;
  readonly warn: MetricsWarn;
}

/** The metrics signal as the lifecycle drives it. */
export interface Metrics {
  record(summary: InvocationSummary): void;
  /** Push what was recorded if the push policy says so, within `budgetMs`. Never rejects. */
  flush(budgetMs: number): Promise<void>;
  /** Final push, then delete the environment's Pushgateway group, within `budgetMs`. Idempotent; never rejects. */
  shutdown(budgetMs: number): Promise<void>;
}

/**
 * Our requests end a little before the caller's budget does, so a timed-out push is reported (and
 * counted) by us as what it is, instead of being abandoned by the caller's flush deadline first.
 */
function ownDeadline(budgetMs: number): number {
  return Math.max(0, budgetMs - Math.min(10, budgetMs / 10));
}

/** The attribute the SDK puts on the series that absorbs attribute sets beyond the cardinality limit. */
const OVERFLOW_ATTRIBUTE = 'otel.metric.overflow';

/**
 * Wire the environment's meter provider (see provider.ts) to the configured sinks under the push
 * policy. Called once, when telemetry is built at the first invocation.
 */
export function createMetrics(config: Config, deps: MetricsDeps): Metrics {
  const pipeline = environmentMetrics();
  setMetricsWarn(deps.warn);
  if (!pipeline.registeredGlobally) {
    deps.warn(
      'metrics:provider',
      'another OpenTelemetry meter provider was registered before lambda-observe; metrics.getMeter() goes there, not into lambda-observe\'s push',
    );
  }
  const sinks = createSinks(config, deps);
  const scheduler = new PushScheduler({
    sinks,
    intervalMs: config.metrics.pushIntervalMs,
    collect: (timeoutMs) => collect(pipeline, timeoutMs, deps.warn),
    onFailure(sink, phase, failure) {
      pipeline.self.pushFailures.add(1, { exporter: sink.name, reason: failure.reason });
      const action = phase === 'push' ? 'push of metrics' : 'deletion of the metrics group';
      deps.warn(
        `metrics:${sink.name}:${phase}:${failure.reason}`,
        `${action} to ${sink.name} failed (${failure.reason}); failures are counted in lambda_observe_push_failures_total`,
        { detail: failure.detail, ...(sink.target ? { url: sink.target } : {}) },
      );
    },
  });
  return {
    record: (summary) => recordSummary(pipeline.faas, summary),
    flush: (budgetMs) => scheduler.flush(ownDeadline(budgetMs)),
    shutdown: (budgetMs) => scheduler.shutdown(ownDeadline(budgetMs)),
  };
}

function createSinks(config: Config, deps: MetricsDeps): MetricsSink[] {
  const settings = config.metrics;
  const sinks: MetricsSink[] = [];
  if (settings.exporters.includes('prometheus')) {
    if (settings.pushgatewayUrl) {
      sinks.push(
        createPushgatewaySink(
          {
            url: settings.pushgatewayUrl,
            job: config.serviceName,
            instance: environmentInstanceId(config.logStreamName),
            labels: settings.pushgatewayLabels,
            authorization: settings.pushgatewayAuthorization,
          },
          deps.warn,
        ),
      );
    } else {
      deps.warn('metrics:no-pushgateway', 'the prometheus metrics exporter needs LAMBDA_OBSERVE_PUSHGATEWAY_URL (or the pushgatewayUrl option); metrics are not pushed');
    }
  }
  if (settings.exporters.includes('otlp')) {
    sinks.push(createOtlpSink({ resource: resourceFromAttributes(deps.resource), timeoutMs: config.flushTimeoutMs }));
  }
  return sinks;
}

async function collect(pipeline: MeterPipeline, timeoutMs: number, warn: MetricsWarn): Promise<ResourceMetrics> {
  const { resourceMetrics, errors } = await pipeline.reader.collect({ timeoutMillis: Math.max(1, Math.floor(timeoutMs)) });
  if (errors.length > 0) {
    warn('metrics:collect', 'an observable metric callback failed while collecting; its values are missing from the push', { exception: errors[0] });
  }
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const overflowed = (metric.dataPoints as ReadonlyArray<{ attributes: Record<string, unknown> }>).some((p) => p.attributes[OVERFLOW_ATTRIBUTE] === true);
      if (overflowed && pipeline.self.markOverflow(metric.descriptor.name)) {
        warn(
          `metrics:overflow:${metric.descriptor.name}`,
          `metric ${metric.descriptor.name} has more attribute sets than LAMBDA_OBSERVE_METRICS_CARDINALITY_LIMIT allows; the rest are aggregated into its otel_metric_overflow="true" series`,
        );
      }
    }
  }
  return resourceMetrics;
}

/**
 * Start importing the exporters `settings` select, and open the Pushgateway's connection, while
 * Lambda is still in INIT, so the first invocation waits for neither. Repeating it is free (each
 * import and origin starts once). Never throws.
 */
export function preloadMetrics(settings: Config['metrics']): void {
  try {
    if (settings.exporters.includes('prometheus') && settings.pushgatewayUrl) {
      loadPrometheusWriter().catch(() => undefined);
      preconnect(settings.pushgatewayUrl);
    }
    if (settings.exporters.includes('otlp')) loadOtlpMetricExporter().catch(() => undefined);
  } catch {
    // A preload is an optimisation; the sinks load what they need themselves.
  }
}
