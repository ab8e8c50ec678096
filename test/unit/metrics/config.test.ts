/** Metrics settings from env and options: exporters, Pushgateway URL and auth (never exposed), labels, push policy. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnv, resolveConfig } from '../../../src/config.ts';

const resolve = (env: Record<string, string>, options?: Parameters<typeof resolveConfig>[0]) => {
  const snapshot = parseEnv(env);
  return { config: resolveConfig(options, snapshot), warnings: snapshot.warnings };
};

describe('metrics config', () => {
  it('exports nothing by default, pushes when a Pushgateway is set, uses OTLP when only an OTLP endpoint is set', () => {
    assert.deepEqual(resolve({}).config.metrics.exporters, ['none']);
    assert.deepEqual(resolve({ LAMBDA_OBSERVE_PUSHGATEWAY_URL: 'http://pg:9091' }).config.metrics.exporters, ['prometheus']);
    assert.deepEqual(resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).config.metrics.exporters, ['otlp']);
    assert.deepEqual(
      resolve({ LAMBDA_OBSERVE_PUSHGATEWAY_URL: 'http://pg:9091', OTEL_METRICS_EXPORTER: 'otlp,prometheus' }).config.metrics.exporters,
      ['otlp', 'prometheus'],
    );
    assert.deepEqual(resolve({ OTEL_METRICS_EXPORTER: 'none' }).config.metrics.exporters, ['none']);
  });

  it('turns LAMBDA_OBSERVE_PUSHGATEWAY_AUTH into an Authorization header that config.metrics never serializes', () => {
    const cases: Array<[string, string]> = [
      ['alice:s3cret', `Basic ${Buffer.from('alice:s3cret').toString('base64')}`],
      ['Bearer tok.en', 'Bearer tok.en'],
      ['bearer tok', 'Bearer tok'],
      ['Basic YWxpY2U6eA==', 'Basic YWxpY2U6eA=='],
      ['just-a-token', 'Bearer just-a-token'],
    ];
    for (const [raw, header] of cases) {
      const { config } = resolve({ LAMBDA_OBSERVE_PUSHGATEWAY_URL: 'http://pg:9091', LAMBDA_OBSERVE_PUSHGATEWAY_AUTH: raw });
      assert.equal(config.metrics.pushgatewayAuthorization, header, raw);
      const serialized = JSON.stringify(config.metrics);
      assert.ok(!serialized.includes(raw.split(' ').at(-1)!), `the secret is not in ${serialized.slice(0, 80)}…`);
      assert.ok(!serialized.includes(header));
    }
  });

  it('takes credentials out of the URL into basic auth', () => {
    const { config } = resolve({ LAMBDA_OBSERVE_PUSHGATEWAY_URL: 'https://bob:p%40ss@pg.example.com/gw/' });
    assert.equal(config.metrics.pushgatewayUrl, 'https://pg.example.com/gw');
    assert.equal(config.metrics.pushgatewayAuthorization, `Basic ${Buffer.from('bob:p@ss').toString('base64')}`);
    assert.ok(!JSON.stringify(config.metrics).includes("p%40ss"));
    assert.ok(!JSON.stringify(config.metrics).includes("Basic"));
  });

  it('reads static grouping labels, refusing the ones lambda-observe sets and invalid names', () => {
    const { config, warnings } = resolve({ LAMBDA_OBSERVE_PUSHGATEWAY_LABELS: 'stage=prod,team=pay%2Fments,job=x,1bad=y,=z' });
    assert.deepEqual(config.metrics.pushgatewayLabels, { stage: 'prod', team: 'pay/ments' });
    assert.equal(warnings.filter((w) => w.startsWith('LAMBDA_OBSERVE_PUSHGATEWAY_LABELS')).length, 3);
  });

  it('reads the push interval and cardinality limit, warning on bad values', () => {
    assert.equal(resolve({}).config.metrics.pushIntervalMs, 0);
    assert.equal(resolve({ LAMBDA_OBSERVE_PUSH_INTERVAL_MS: '10000' }).config.metrics.pushIntervalMs, 10_000);
    assert.equal(resolve({}).config.metrics.cardinalityLimit, 500);
    assert.equal(resolve({ LAMBDA_OBSERVE_METRICS_CARDINALITY_LIMIT: '50' }).config.metrics.cardinalityLimit, 50);
    const bad = resolve({ LAMBDA_OBSERVE_METRICS_CARDINALITY_LIMIT: '1.5', LAMBDA_OBSERVE_PUSH_INTERVAL_MS: 'soon', LAMBDA_OBSERVE_PUSHGATEWAY_URL: 'pg:9091' });
    assert.equal(bad.config.metrics.cardinalityLimit, 500);
    assert.equal(bad.config.metrics.pushIntervalMs, 0);
    assert.equal(bad.config.metrics.pushgatewayUrl, undefined);
    assert.equal(bad.warnings.length, 3);
  });

  it('lets code options override env', () => {
    const { config } = resolve(
      { LAMBDA_OBSERVE_PUSHGATEWAY_URL: 'http://env:9091', LAMBDA_OBSERVE_PUSH_INTERVAL_MS: '5000' },
      { pushgatewayUrl: 'http://code:9091', pushIntervalMs: 0, pushgatewayLabels: { stage: 'dev' }, metricsExporter: ['prometheus', 'otlp'] },
    );
    assert.equal(config.metrics.pushgatewayUrl, 'http://code:9091');
    assert.equal(config.metrics.pushIntervalMs, 0);
    assert.deepEqual(config.metrics.pushgatewayLabels, { stage: 'dev' });
    assert.deepEqual(config.metrics.exporters, ['prometheus', 'otlp']);
  });

  it('throws at wrap time for bad metrics options, without echoing a URL', () => {
    assert.throws(() => resolveConfig({ pushgatewayUrl: 'ftp://u:secret@x' }, parseEnv({})), (e: Error) => e instanceof TypeError && !e.message.includes('secret'));
    assert.throws(() => resolveConfig({ pushgatewayLabels: { instance: 'x' } }, parseEnv({})), /instance/);
    assert.throws(() => resolveConfig({ pushgatewayLabels: { ok: 1 as unknown as string } }, parseEnv({})), /not a string/);
    assert.throws(() => resolveConfig({ pushIntervalMs: -1 }, parseEnv({})), /pushIntervalMs/);
    assert.throws(() => resolveConfig({ metricsExporter: ['statsd' as 'otlp'] }, parseEnv({})), /metricsExporter/);
  });
});
