/**
 * Our Prometheus text writer against the library it replaced: for a rich set of metrics, the text
 * must be byte for byte what @opentelemetry/exporter-prometheus's `PrometheusSerializer` writes
 * (timestamps off, no target_info, no scope labels) for the same metrics renamed and relabeled as
 * documented in src/metrics/prometheus-text.ts (the step below, which ran before the serializer
 * when it was used). Rendered repeatedly with one writer, so reused series text is checked too.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { Attributes } from '@opentelemetry/api';
import { AggregationType, DataPointType, MeterProvider, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { createMeterPipeline } from '../../../src/metrics/provider.ts';
import { PullMetricReader } from '../../../src/metrics/pull-reader.ts';
import { recordSummary } from '../../../src/metrics/faas-instruments.ts';
import { createPrometheusTextWriter, withUnitSuffix } from '../../../src/metrics/prometheus-text.ts';
import { createEnumGauge } from '../../../src/metrics/enum-gauge.ts';

/** The documented renaming, applied to the data the library serializes (the former path). */
function prepareForPushgateway(resourceMetrics: ResourceMetrics, reserved: ReadonlySet<string>, warn: (key: string) => void): ResourceMetrics {
  const seen = new Set<string>();
  const scopeMetrics = resourceMetrics.scopeMetrics.map((scope) => ({
    scope: scope.scope,
    metrics: scope.metrics.map((metric): MetricData => {
      const name = withUnitSuffix(metric.descriptor.name, metric.descriptor.unit, metric.dataPointType);
      let family = name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');
      if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic && !family.endsWith('_total')) family += '_total';
      const isHistogram = metric.dataPointType === DataPointType.HISTOGRAM;
      const dataPoints = [];
      for (const point of metric.dataPoints) {
        const attributes = relabel(point.attributes, reserved, isHistogram);
        const key = `${family}${JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
        if (seen.has(key)) {
          warn(`metrics:duplicate:${family}`);
          continue;
        }
        seen.add(key);
        dataPoints.push({ ...point, attributes });
      }
      return { ...metric, descriptor: { ...metric.descriptor, name }, dataPoints } as MetricData;
    }),
  }));
  return { resource: resourceMetrics.resource, scopeMetrics };
}

function relabel(attributes: Attributes, reserved: ReadonlySet<string>, isHistogram: boolean): Attributes {
  const out: Attributes = {};
  for (const key of Object.keys(attributes)) {
    let label = key.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');
    if (/^[0-9]/.test(label)) label = `key_${label}`;
    if (reserved.has(label) || (isHistogram && label === 'le')) label = `exported_${label}`;
    out[label] = attributes[key];
  }
  return out;
}

describe('Prometheus text writer = the exporter-prometheus serializer', () => {
  it('writes exactly what the library serializer writes, push after push', async () => {
    const reserved = ['job', 'instance', 'stage'];
    const ours: string[] = [];
    const theirs: string[] = [];
    const write = createPrometheusTextWriter({ reservedLabels: reserved, warn: (key) => ours.push(key) });
    const serializer = new PrometheusSerializer(undefined, false, undefined, true, true);
    const library = (rm: ResourceMetrics): string => {
      const text = serializer.serialize(prepareForPushgateway(rm, new Set(reserved), (key) => theirs.push(key)));
      return text.endsWith('\n') ? text : `${text}\n`;
    };

    const pipeline = createMeterPipeline({ cardinalityLimit: 6 });
    const other = new PullMetricReader();
    const exponential = new MeterProvider({
      readers: [other],
      views: [{ instrumentName: 'exp.*', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
    });
    const shop = pipeline.provider.getMeter('shop');
    const second = pipeline.provider.getMeter('second', '1.0.0');
    const orders = shop.createCounter('orders.processed', { description: 'Orders\nprocessed \\ "ok"' });
    const depth = shop.createUpDownCounter('queue.depth', { unit: '{item}' });
    const temperature = shop.createGauge('temperature', { unit: 'Cel' });
    const payload = shop.createHistogram('payload.size', { unit: 'By', description: 'Payload' });
    const latency = shop.createHistogram('latency', { unit: 'ms', advice: { explicitBucketBoundaries: [1, 2.5, 10, 1e21] } });
    const single = shop.createHistogram('single.bucket', { advice: { explicitBucketBoundaries: [] } });
    const users = shop.createCounter('users');
    const shared = shop.createCounter('shared.count', { description: 'first' });
    const sharedToo = second.createCounter('shared.count', { description: 'second' });
    const unitA = shop.createCounter('unitful', { unit: '{a}' });
    const unitB = second.createCounter('unitful', { unit: '{b}' });
    const conflictCounter = shop.createCounter('conflict');
    const conflictGauge = second.createGauge('conflict_total');
    const helpless = second.createCounter('helpless');
    const helpful = shop.createCounter('helpless', { description: 'late help' });
    shop.createObservableGauge('pool.ratio', { unit: '1' }).addCallback((r) => r.observe(0.25, { pool: 'main' }));
    shop.createObservableCounter('bytes.read', { unit: 'By/s' }).addCallback((r) => r.observe(1024));
    const mode = createEnumGauge('checkout.mode', ['in_use', 'disabled'], { meter: shop });
    const exp = exponential.getMeter('e').createHistogram('exp.sizes');
    exponential.getMeter('e').createCounter('plain').add(1, { a: 'b' });
    const mutable: Attributes = { region: 'eu', zone: 'a' };

    const round = (i: number): void => {
      recordSummary(pipeline.faas, { trigger: 'http', outcome: 'success', durationMs: 12 * i, coldStart: i === 0, errorType: undefined, httpRoute: '/orders/{id}', httpStatusCode: 200 });
      recordSummary(pipeline.faas, { trigger: 'sqs', outcome: 'error', durationMs: 3, coldStart: false, errorType: 'TypeError', httpRoute: undefined, httpStatusCode: undefined });
      orders.add(i + 1, { channel: 'web', job: 'import', instance: 'x', stage: 'prod', '9lives': 'cat', 'a.b-c': 'd', quote: 'a"b\\c\nd' });
      orders.add(2, { count: 3, ok: true, tags: ['x', 'y'], ratio: 0.5 });
      orders.add(1, { 'a.b': 'first', c: 'mid', a_b: 'second' });
      orders.add(1, { job: 'dup' });
      orders.add(1, { exported_job: 'dup' });
      orders.add(1);
      depth.add(-3 * i, { q: 'in' });
      temperature.record(i === 1 ? Infinity : 21.5 + i, { room: 'lab' });
      temperature.record(-Infinity, { room: 'freezer' });
      temperature.record(Number.NaN, { room: 'void' });
      payload.record(512 * i, { le: 'user', kind: 'json' });
      payload.record(10, mutable);
      latency.record(i * 3, { route: 'r' });
      latency.record(2e21);
      single.record(i);
      for (let u = 0; u < 10; u++) users.add(1, { user: `u${u}` });
      shared.add(1);
      sharedToo.add(2);
      unitA.add(1, { side: 'a' });
      unitB.add(1, { side: 'b' });
      conflictCounter.add(1);
      conflictGauge.record(5);
      helpless.add(1);
      helpful.add(1);
      mode.set(i % 2 === 0 ? 'in_use' : 'disabled');
      exp.record(i + 0.5);
    };

    for (let i = 0; i < 4; i++) {
      round(i);
      if (i === 2) mutable.zone = 'b';
      const { resourceMetrics } = await pipeline.reader.collect();
      const text = write(resourceMetrics);
      assert.equal(text, library(resourceMetrics), `push ${i}`);
      const exported = await other.collect();
      assert.equal(write(exported.resourceMetrics), library(exported.resourceMetrics), `push ${i}, exponential`);
    }
    assert.deepEqual(ours, theirs);
    assert.ok(ours.includes('metrics:duplicate:shared_count_total'));
    assert.ok(ours.includes('metrics:duplicate:orders_processed_total'));
    const empty = { resource: (await pipeline.reader.collect()).resourceMetrics.resource, scopeMetrics: [] };
    assert.equal(write(empty), library(empty));
  });
});
