/**
 * The exposition text the Pushgateway receives, parsed line by line: what it would reject must
 * never be in it (timestamps, a missing final newline, duplicate series, labels the grouping key
 * owns), and the names users query must be the documented ones.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMeterPipeline } from '../../../src/metrics/provider.ts';
import { INVOKE_DURATION_BUCKETS, recordSummary } from '../../../src/metrics/faas-instruments.ts';
import { createPrometheusTextWriter, withUnitSuffix } from '../../../src/metrics/prometheus-text.ts';
import { createEnumGauge } from '../../../src/metrics/enum-gauge.ts';
import { DataPointType } from '@opentelemetry/sdk-metrics';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: string;
  /** Anything after the value: must always be empty (a timestamp would be here). */
  rest: string;
}

interface Exposition {
  help: Map<string, string>;
  type: Map<string, string>;
  samples: Sample[];
}

/** A strict parser of the text format subset the serializer writes. */
function parse(text: string): Exposition {
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n').slice(0, -1)) {
    let m: RegExpExecArray | null;
    if ((m = /^# HELP (\S+) (.*)$/.exec(line))) help.set(m[1]!, m[2]!);
    else if ((m = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line))) type.set(m[1]!, m[2]!);
    else if (/^# UNIT \S+ \S+$/.test(line)) continue;
    else if ((m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(.*)$/.exec(line))) {
      const labels: Record<string, string> = {};
      for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        assert.ok(!(pair[1]! in labels), `label ${pair[1]} repeated in: ${line}`);
        labels[pair[1]!] = pair[2]!;
      }
      samples.push({ name: m[1]!, labels, value: m[3]!, rest: m[4]! });
    } else assert.fail(`unexpected line: ${JSON.stringify(line)}`);
  }
  return { help, type, samples };
}

function seriesKey(s: Sample): string {
  return `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;
}

async function render(setup: (p: ReturnType<typeof createMeterPipeline>) => void, options: { cardinalityLimit?: number; reserved?: string[] } = {}) {
  const warnings: string[] = [];
  const pipeline = createMeterPipeline({ cardinalityLimit: options.cardinalityLimit ?? 100 });
  setup(pipeline);
  const write = await createPrometheusTextWriter({
    reservedLabels: options.reserved ?? ['job', 'instance'],
    warn: (key) => warnings.push(key),
  });
  const { resourceMetrics } = await pipeline.reader.collect();
  const text = write(resourceMetrics);
  return { text, exposition: parse(text), warnings };
}

const summary = (over: Partial<Parameters<typeof recordSummary>[1]> = {}) => ({
  trigger: 'http',
  outcome: 'success' as const,
  durationMs: 12,
  coldStart: false,
  errorType: undefined,
  httpRoute: '/orders/{id}',
  httpStatusCode: 200,
  ...over,
});

describe('Prometheus text for the Pushgateway', () => {
  it('writes the FaaS metrics under their documented names, with HELP and TYPE, no timestamps, a final newline', async () => {
    const { text, exposition } = await render((p) => {
      recordSummary(p.faas, summary({ coldStart: true }));
      recordSummary(p.faas, summary({ outcome: 'error', errorType: 'TypeError', httpStatusCode: undefined }));
      recordSummary(p.faas, summary({ outcome: 'timeout', errorType: 'timeout', durationMs: 2500, httpStatusCode: undefined }));
    });
    assert.ok(text.endsWith('\n'), 'final newline');
    assert.ok(!text.endsWith('\n\n'), 'no empty last line');
    for (const sample of exposition.samples) assert.equal(sample.rest, '', `no timestamp: ${sample.name}`);

    assert.equal(exposition.type.get('faas_invocations_total'), 'counter');
    assert.equal(exposition.type.get('faas_errors_total'), 'counter');
    assert.equal(exposition.type.get('faas_timeouts_total'), 'counter');
    assert.equal(exposition.type.get('faas_coldstarts_total'), 'counter');
    assert.equal(exposition.type.get('faas_invoke_duration_seconds'), 'histogram');
    assert.equal(exposition.type.get('process_memory_usage_bytes'), 'gauge');
    assert.equal(exposition.type.get('v8js_memory_heap_used_bytes'), 'gauge');
    assert.equal(exposition.type.get('process_start_time_seconds'), 'gauge');
    for (const name of exposition.type.keys()) assert.ok(exposition.help.get(name), `HELP for ${name}`);

    const value = (name: string, labels: Record<string, string>) =>
      exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).map((s) => Number(s.value));
    assert.deepEqual(value('faas_invocations_total', { outcome: 'success', faas_trigger: 'http', http_route: '/orders/{id}', http_response_status_class: '2xx' }), [1]);
    assert.deepEqual(value('faas_invocations_total', { outcome: 'error' }), [1]);
    assert.deepEqual(value('faas_errors_total', { error_type: 'TypeError' }), [1]);
    assert.deepEqual(value('faas_timeouts_total', {}), [1]);
    assert.deepEqual(value('faas_coldstarts_total', {}), [1]);

    // Buckets: cumulative, one per boundary plus +Inf, in seconds.
    const buckets = exposition.samples.filter((s) => s.name === 'faas_invoke_duration_seconds_bucket' && s.labels.outcome === 'timeout');
    assert.deepEqual(buckets.map((b) => b.labels.le), [...INVOKE_DURATION_BUCKETS.map(String), '+Inf']);
    assert.deepEqual(buckets.map((b) => Number(b.value)), INVOKE_DURATION_BUCKETS.map((le) => (le >= 2.5 ? 1 : 0)).concat(1));
    assert.deepEqual(value('faas_invoke_duration_seconds_sum', { outcome: 'timeout' }), [2.5]);
    assert.deepEqual(value('faas_invoke_duration_seconds_count', { outcome: 'timeout' }), [1]);

    const start = value('process_start_time_seconds', {})[0]!;
    assert.ok(Math.abs(start - performance.timeOrigin / 1000) < 1, `start time ${start}`);
    assert.ok(value('process_memory_usage_bytes', {})[0]! > 1e6);
  });

  it('leaves out target_info, resource and scope labels', async () => {
    const { exposition } = await render((p) => recordSummary(p.faas, summary()));
    assert.ok(!exposition.type.has('target_info'));
    for (const sample of exposition.samples) {
      for (const label of Object.keys(sample.labels)) assert.ok(!/^otel_scope|^service_|^telemetry_/.test(label), `${sample.name} has ${label}`);
    }
  });

  it('renames labels the grouping key owns, invalid label names and a histogram attribute called le', async () => {
    const { exposition } = await render(
      (p) => {
        p.meter.createCounter('jobs.done').add(1, { job: 'import', instance: 'x', stage: 'prod', '9lives': 'cat', 'a.b-c': 'd' });
        p.meter.createHistogram('batch.size').record(3, { le: 'user' });
      },
      { reserved: ['job', 'instance', 'stage'] },
    );
    const done = exposition.samples.find((s) => s.name === 'jobs_done_total');
    assert.deepEqual(done?.labels, { exported_job: 'import', exported_instance: 'x', exported_stage: 'prod', key_9lives: 'cat', a_b_c: 'd' });
    const bucket = exposition.samples.find((s) => s.name === 'batch_size_bucket');
    assert.equal(bucket?.labels.exported_le, 'user');
    assert.match(bucket?.labels.le ?? '', /^[0-9.]+$|^\+Inf$/);
  });

  it('never writes one series twice (two meters, one instrument name) and warns', async () => {
    const { exposition, warnings } = await render((p) => {
      p.provider.getMeter('a').createCounter('shared.count').add(1);
      p.provider.getMeter('b').createCounter('shared.count').add(2);
    });
    const keys = exposition.samples.map(seriesKey);
    assert.equal(new Set(keys).size, keys.length, 'no duplicate series');
    assert.deepEqual(exposition.samples.filter((s) => s.name === 'shared_count_total').map((s) => s.value), ['1']);
    assert.ok(warnings.includes('metrics:duplicate:shared_count_total'));
  });

  it('serializes user instruments of every kind', async () => {
    const { exposition } = await render((p) => {
      const m = p.provider.getMeter('shop');
      m.createCounter('orders.processed', { description: 'Orders' }).add(2, { channel: 'web' });
      m.createUpDownCounter('queue.depth').add(-3);
      m.createGauge('temperature', { unit: 'Cel' }).record(21.5);
      m.createHistogram('payload.size', { unit: 'By' }).record(512);
      m.createObservableGauge('pool.ratio', { unit: '1' }).addCallback((r) => r.observe(0.25));
    });
    assert.equal(exposition.type.get('orders_processed_total'), 'counter');
    assert.equal(exposition.help.get('orders_processed_total'), 'Orders');
    assert.equal(exposition.type.get('queue_depth'), 'gauge');
    assert.equal(exposition.type.get('temperature_celsius'), 'gauge');
    assert.equal(exposition.type.get('payload_size_bytes'), 'histogram');
    assert.equal(exposition.type.get('pool_ratio'), 'gauge');
    assert.equal(exposition.samples.find((s) => s.name === 'queue_depth')?.value, '-3');
  });

  it('keeps the attribute sets of an instrument within the cardinality limit; the rest go to one overflow series', async () => {
    const { exposition } = await render(
      (p) => {
        const c = p.meter.createCounter('requests');
        for (let i = 0; i < 20; i++) c.add(1, { user: `u${i}` });
      },
      { cardinalityLimit: 5 },
    );
    const series = exposition.samples.filter((s) => s.name === 'requests_total');
    assert.equal(series.length, 5);
    const overflow = series.filter((s) => s.labels.otel_metric_overflow === 'true');
    assert.equal(overflow.length, 1);
    // Nothing is lost: the total is still exact.
    assert.equal(series.reduce((sum, s) => sum + Number(s.value), 0), 20);
  });

  it('redacts label values before aggregation: a secret never becomes a label, and values that redact alike share a series', async () => {
    const { text, exposition } = await render((p) => {
      const c = p.provider.getMeter('api').createCounter('calls');
      c.add(1, { api_key: 'k-123', target: 'https://svc/x?token=abc' });
      c.add(1, { api_key: 'k-456', target: 'https://svc/x?token=def' });
      c.add(1, { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl' });
    });
    for (const secret of ['k-123', 'k-456', 'abc', 'def', 'eyJhbGciOiJIUzI1NiJ9']) assert.ok(!text.includes(secret), secret);
    const calls = exposition.samples.filter((s) => s.name === 'calls_total');
    assert.equal(calls.length, 2);
    const merged = calls.find((s) => s.labels.api_key !== undefined);
    assert.equal(merged?.value, '2');
    assert.match(merged?.labels.target ?? '', /^https:\/\/svc\/x\?token=\[REDACTED\]$/);
  });

  it('writes an enum as one 0/1 series per state, exactly one at 1', async () => {
    const { exposition } = await render((p) => {
      const mode = createEnumGauge('checkout.mode', ['in_use', 'disabled', 'shadowing'], { meter: p.meter });
      mode.set('disabled');
      mode.set('shadowing');
      mode.set('in_use', { region: 'eu' });
    });
    const series = exposition.samples.filter((s) => s.name === 'checkout_mode');
    assert.equal(exposition.type.get('checkout_mode'), 'gauge');
    assert.deepEqual(
      series.filter((s) => !s.labels.region).map((s) => [s.labels.state, s.value]).sort(),
      [['disabled', '0'], ['in_use', '0'], ['shadowing', '1']],
    );
    assert.deepEqual(
      series.filter((s) => s.labels.region === 'eu').map((s) => [s.labels.state, s.value]).sort(),
      [['disabled', '0'], ['in_use', '1'], ['shadowing', '0']],
    );
  });
});

describe('unit suffixes (OTel → Prometheus naming)', () => {
  const cases: Array<[string, string, DataPointType, string]> = [
    ['faas.invoke_duration', 's', DataPointType.HISTOGRAM, 'faas.invoke_duration_seconds'],
    ['http.server.duration', 'ms', DataPointType.HISTOGRAM, 'http.server.duration_milliseconds'],
    ['faas.invocations', '{invocation}', DataPointType.SUM, 'faas.invocations'],
    ['process.memory.usage', 'By', DataPointType.GAUGE, 'process.memory.usage_bytes'],
    ['cache.hit', '1', DataPointType.GAUGE, 'cache.hit_ratio'],
    ['cache.hits', '1', DataPointType.SUM, 'cache.hits'],
    ['net.io', 'By/s', DataPointType.GAUGE, 'net.io_bytes_per_second'],
    ['already_seconds', 's', DataPointType.GAUGE, 'already_seconds'],
    ['odd', 'furlongs', DataPointType.GAUGE, 'odd'],
  ];
  for (const [name, unit, type, expected] of cases) {
    it(`${name} [${unit}] → ${expected}`, () => assert.equal(withUnitSuffix(name, unit, type), expected));
  }
});
