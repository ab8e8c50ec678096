/**
 * `OTEL_METRICS_EXPORTER=otlp`: the same collected data sent with the kept OTLP/HTTP metrics
 * exporter, for users who outgrow a Pushgateway. The exporter is imported lazily (started at
 * telemetry build) so environments that do not use it pay nothing for it. It reads its endpoint,
 * headers, timeout and compression from the standard OTEL_EXPORTER_OTLP_[METRICS_]* variables.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { AggregationTemporality, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { PushFailure } from './pushgateway-client.ts';
import type { MetricsSink } from './push-scheduler.ts';

let loading: Promise<typeof import('@opentelemetry/exporter-metrics-otlp-http')> | undefined;

/** Start (or join) the import of the OTLP metrics exporter. */
export function loadOtlpMetricExporter(): Promise<typeof import('@opentelemetry/exporter-metrics-otlp-http')> {
  loading ??= import('@opentelemetry/exporter-metrics-otlp-http');
  return loading;
}

/** Settings of the OTLP sink. */
export interface OtlpSinkOptions {
  /** The environment's resource: the provider was built before it was known. */
  readonly resource: Resource;
  /** Upper bound of one export; the flush budget cuts the wait shorter. */
  readonly timeoutMs: number;
}

/** A sink that exports each push with the OTLP/HTTP metrics exporter; never rejects. */
export function createOtlpSink(options: OtlpSinkOptions): MetricsSink {
  const exporter: Promise<PushMetricExporter> = loadOtlpMetricExporter().then(
    ({ OTLPMetricExporter }) =>
      new OTLPMetricExporter({ temporalityPreference: AggregationTemporality.CUMULATIVE, timeoutMillis: options.timeoutMs }),
  );
  exporter.catch(() => undefined);
  return {
    name: 'otlp',
    async export(resourceMetrics, deadline) {
      let instance: PushMetricExporter;
      try {
        instance = await exporter;
      } catch (error) {
        return { reason: 'network', detail: `could not load the OTLP metrics exporter: ${String(error)}` };
      }
      const data: ResourceMetrics = { resource: options.resource, scopeMetrics: resourceMetrics.scopeMetrics };
      const exported = new Promise<PushFailure>((resolve) => {
        instance.export(data, (result: ExportResult) =>
          resolve(result.code === ExportResultCode.SUCCESS ? undefined : { reason: 'network', detail: result.error?.message ?? 'export failed' }),
        );
      });
      return raceDeadline(exported, deadline);
    },
    async shutdown(deadline) {
      try {
        const instance = await exporter;
        return raceDeadline(instance.shutdown().then(() => undefined), deadline);
      } catch {
        return undefined;
      }
    },
  };
}

function raceDeadline(work: Promise<PushFailure>, deadline: number): Promise<PushFailure> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<PushFailure>((resolve) => {
    timer = setTimeout(() => resolve({ reason: 'timeout', detail: 'no answer within the flush budget' }), Math.max(0, deadline - performance.now()));
    timer.unref();
  });
  return Promise.race([work.catch((error: unknown) => ({ reason: 'network' as const, detail: String(error) })), timeout]).finally(() =>
    clearTimeout(timer),
  );
}
