/**
 * `OTEL_METRICS_EXPORTER=otlp`: the same metrics, sent with the kept OTLP/HTTP exporter to a
 * loopback OTLP receiver, decoded from what it received. And the cold-start promise: an exporter
 * that is not configured is never even imported.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { INVOKE_DURATION_BUCKETS } from '../../src/metrics/faas-instruments.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { killWorkers, startWorker, withDeadline } from './metrics-harness.ts';

after(killWorkers);

interface JsonMetric {
  name: string;
  unit?: string;
  sum?: { dataPoints: JsonPoint[]; aggregationTemporality: number; isMonotonic: boolean };
  histogram?: { dataPoints: Array<JsonPoint & { count: number | string; explicitBounds: number[]; bucketCounts: Array<number | string> }>; aggregationTemporality: number };
  gauge?: { dataPoints: JsonPoint[] };
}
interface JsonPoint {
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
  asInt?: number | string;
  asDouble?: number;
}
interface JsonRequest {
  resourceMetrics: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeMetrics: Array<{ scope: { name: string }; metrics: JsonMetric[] }>;
  }>;
}

const OTLP_METRICS_EXPORTER = '@opentelemetry/exporter-metrics-otlp-http';
const PROMETHEUS_EXPORTER = '@opentelemetry/exporter-prometheus';

describe('OTEL_METRICS_EXPORTER=otlp', () => {
  let receiver: OtlpReceiver | undefined;
  after(async () => receiver?.close());

  it('sends cumulative FaaS and user metrics with the resource, one export per invocation', async () => {
    receiver = await startOtlpReceiver();
    const worker = startWorker(
      {
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_SERVICE_NAME: 'orders-otlp',
        WORKER_INVOCATIONS: '8',
        WORKER_ERROR_EVERY: '4',
      },
      { traceImports: true },
    );
    const report = await withDeadline(worker.done, 30_000, 'the environment finishing');
    assert.deepEqual(await withDeadline(worker.exited, 10_000, 'the environment exiting by itself'), { code: 0, signal: null });
    assert.equal(report.wrongResults, 0);
    assert.deepEqual(worker.lines().filter((l) => l.level === 'warn'), []);
    assert.ok(report.resolved?.includes(OTLP_METRICS_EXPORTER));
    assert.ok(!report.resolved?.includes(PROMETHEUS_EXPORTER), 'the Prometheus serializer is not loaded when unused');

    const requests = receiver.payloads('metrics') as JsonRequest[];
    assert.equal(requests.length, 8);
    const last = requests.at(-1)!.resourceMetrics[0]!;
    const resource = Object.fromEntries(last.resource.attributes.map((a) => [a.key, a.value.stringValue]));
    assert.equal(resource['service.name'], 'orders-otlp');
    assert.equal(resource['cloud.provider'], 'aws');
    const metrics = new Map(last.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.name, m]));
    const sumOf = (name: string) => (metrics.get(name)?.sum?.dataPoints ?? []).reduce((n, p) => n + Number(p.asInt ?? p.asDouble), 0);

    const invocations = metrics.get('faas.invocations')!;
    assert.equal(invocations.sum?.aggregationTemporality, 2, 'cumulative');
    assert.equal(invocations.sum?.isMonotonic, true);
    assert.equal(sumOf('faas.invocations'), 8);
    assert.equal(sumOf('faas.errors'), 2);
    assert.equal(sumOf('faas.coldstarts'), 1);
    assert.equal(sumOf('orders.processed'), 8);
    const duration = metrics.get('faas.invoke_duration')!;
    assert.equal(duration.unit, 's');
    assert.deepEqual(duration.histogram?.dataPoints[0]?.explicitBounds, INVOKE_DURATION_BUCKETS);
    assert.equal(duration.histogram?.dataPoints.reduce((n, p) => n + Number(p.count), 0), 8);
    assert.ok(metrics.has('process.memory.usage') && metrics.has('checkout.mode'));
    // Cumulative: every export carries the totals so far.
    const totals = requests.map((r) =>
      r.resourceMetrics[0]!.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.name === 'faas.invocations')!.sum!.dataPoints.reduce((n, p) => n + Number(p.asInt ?? p.asDouble), 0),
    );
    assert.deepEqual(totals, [1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('exporters load only when configured', () => {
  it('with metrics off, neither the Prometheus serializer nor the OTLP metrics exporter is imported', async () => {
    const worker = startWorker({ WORKER_INVOCATIONS: '3' }, { traceImports: true });
    const report = await withDeadline(worker.done, 30_000, 'the environment finishing');
    await withDeadline(worker.exited, 10_000, 'the environment exiting');
    assert.ok(report.resolved && report.resolved.length > 10, 'the import trace works');
    assert.ok(!report.resolved.includes(PROMETHEUS_EXPORTER));
    assert.ok(!report.resolved.includes(OTLP_METRICS_EXPORTER));
  });

  // The Prometheus text is written by lambda-observe itself (src/metrics/prometheus-text.ts; the
  // exporter-prometheus serializer is its test oracle): a push imports neither exporter package.
  it('with a Pushgateway, neither the Prometheus exporter package nor the OTLP metrics exporter is imported', async () => {
    const worker = startWorker(
      { LAMBDA_OBSERVE_PUSHGATEWAY_URL: 'http://127.0.0.1:9', LAMBDA_OBSERVE_FLUSH_TIMEOUT_MS: '200', WORKER_INVOCATIONS: '2' },
      { traceImports: true },
    );
    const report = await withDeadline(worker.done, 30_000, 'the environment finishing');
    await withDeadline(worker.exited, 10_000, 'the environment exiting');
    assert.ok(report.resolved && report.resolved.length > 10, 'the import trace works');
    assert.ok(!report.resolved.includes(PROMETHEUS_EXPORTER));
    assert.ok(!report.resolved.includes(OTLP_METRICS_EXPORTER));
  });
});
