/** The traces part of the configuration: OTEL_* env, code options over env, bad values. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseEnv, resolveConfig, type ObserveOptions } from '../../../src/config.ts';

const traces = (env: Record<string, string>, options?: ObserveOptions) => {
  const snapshot = parseEnv(env);
  return { config: resolveConfig(options, snapshot), warnings: snapshot.warnings };
};

describe('traces configuration', () => {
  test('defaults: OTLP/protobuf to localhost:4318, parent-based always-on, tracecontext+baggage, HTTP propagation on', () => {
    const { config, warnings } = traces({});
    assert.deepEqual(config.tracesExporter, ['none'], 'nothing is sent unless asked for');
    assert.deepEqual(config.traces, {
      otlpEndpoint: 'http://localhost:4318/v1/traces',
      otlpHeaders: {},
      otlpTimeoutMs: 10_000,
      otlpCompression: 'none',
      otlpProtocol: 'http/protobuf',
      zipkinEndpoint: 'http://localhost:9411/api/v2/spans',
      propagators: ['tracecontext', 'baggage'],
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
      propagateHttp: true,
    });
    assert.deepEqual(warnings, []);
  });

  test('OTEL_EXPORTER_OTLP_ENDPOINT is a base (the signal path is appended) and selects otlp; the traces endpoint is used as is and wins', () => {
    assert.equal(traces({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com/' }).config.traces.otlpEndpoint, 'https://otlp.example.com/v1/traces');
    const both = traces({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://a.example.com', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b.example.com/custom' });
    assert.equal(both.config.traces.otlpEndpoint, 'https://b.example.com/custom');
    assert.deepEqual(both.config.tracesExporter, ['otlp']);
  });

  test('every standard variable is read; the signal-specific one wins', () => {
    const { config, warnings } = traces({
      OTEL_TRACES_EXPORTER: 'otlp,zipkin',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc,x-team=a%20b',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=traces',
      OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '3000',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://zipkin:9411/api/v2/spans',
      OTEL_PROPAGATORS: 'tracecontext,xray',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      LAMBDA_OBSERVE_PROPAGATE_HTTP: 'false',
    });
    assert.deepEqual(warnings, []);
    assert.deepEqual(config.tracesExporter, ['otlp', 'zipkin']);
    assert.deepEqual(config.traces.otlpHeaders, { 'x-api-key': 'abc', 'x-team': 'traces' });
    assert.equal(config.traces.otlpTimeoutMs, 3000);
    assert.equal(config.traces.otlpCompression, 'gzip');
    assert.equal(config.traces.otlpProtocol, 'http/json');
    assert.equal(config.traces.zipkinEndpoint, 'http://zipkin:9411/api/v2/spans');
    assert.deepEqual(config.traces.propagators, ['tracecontext', 'xray']);
    assert.equal(config.traces.sampler, 'parentbased_traceidratio');
    assert.equal(config.traces.samplerRatio, 0.25);
    assert.equal(config.traces.propagateHttp, false);
  });

  test('bad values: one warning each, the safe default, and header values never appear', () => {
    const { config, warnings } = traces({
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20topsecret,garbage-without-equals-topsecret2,=x',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url with token=topsecret3',
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'ftp://zipkin',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '1.5',
      OTEL_PROPAGATORS: 'tracecontext,b3',
    });
    assert.equal(config.traces.otlpProtocol, 'http/protobuf', 'grpc falls back to OTLP/HTTP protobuf');
    assert.equal(config.traces.otlpCompression, 'none');
    assert.equal(config.traces.otlpEndpoint, 'http://localhost:4318/v1/traces');
    assert.equal(config.traces.zipkinEndpoint, 'http://localhost:9411/api/v2/spans');
    assert.equal(config.traces.samplerRatio, 1);
    assert.deepEqual(config.traces.propagators, ['tracecontext']);
    assert.deepEqual(config.traces.otlpHeaders, { authorization: 'Bearer topsecret' }, 'the good pair is kept');
    const text = warnings.join('\n');
    for (const name of [
      'OTEL_EXPORTER_OTLP_HEADERS',
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'OTEL_EXPORTER_OTLP_COMPRESSION',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_ZIPKIN_ENDPOINT',
      'OTEL_TRACES_SAMPLER_ARG',
      'OTEL_PROPAGATORS',
    ]) {
      assert.equal(warnings.filter((w) => w.startsWith(name)).length, 1, `one warning for ${name}:\n${text}`);
    }
    assert.doesNotMatch(text, /topsecret/, 'secrets never reach a warning');
  });

  test('code options override env', () => {
    const { config } = traces(
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_PROPAGATORS: 'xray', OTEL_TRACES_SAMPLER: 'always_off' },
      {
        otlpTracesEndpoint: 'https://collector.example.com/v1/traces',
        otlpProtocol: 'http/protobuf',
        otlpHeaders: { authorization: 'Bearer x' },
        propagators: ['tracecontext'],
        tracesSampler: 'traceidratio',
        tracesSamplerRatio: 0.1,
        propagateHttp: false,
      },
    );
    assert.deepEqual(config.tracesExporter, ['otlp'], 'an endpoint in code selects otlp too');
    assert.equal(config.traces.otlpEndpoint, 'https://collector.example.com/v1/traces');
    assert.equal(config.traces.otlpProtocol, 'http/protobuf');
    assert.deepEqual(config.traces.propagators, ['tracecontext']);
    assert.equal(config.traces.sampler, 'traceidratio');
    assert.equal(config.traces.samplerRatio, 0.1);
    assert.equal(config.traces.propagateHttp, false);
  });

  test('bad code options throw at wrap time, naming the option but never the headers', () => {
    const bad: Array<[ObserveOptions, RegExp]> = [
      [{ otlpTracesEndpoint: 'localhost:4318' }, /otlpTracesEndpoint/],
      [{ zipkinEndpoint: 42 as never }, /zipkinEndpoint/],
      [{ otlpHeaders: { authorization: 7 as never } }, /otlpHeaders/],
      [{ otlpTimeoutMs: 0 }, /otlpTimeoutMs/],
      [{ otlpCompression: 'br' as never }, /otlpCompression/],
      [{ otlpProtocol: 'grpc' as never }, /otlpProtocol/],
      [{ tracesSampler: 'xray' as never }, /tracesSampler/],
      [{ tracesSamplerRatio: 2 }, /tracesSamplerRatio/],
      [{ propagators: ['b3'] as never }, /propagators/],
      [{ propagateHttp: 'no' as never }, /propagateHttp/],
    ];
    for (const [options, message] of bad) {
      assert.throws(() => resolveConfig(options, parseEnv({})), (error: Error) => error instanceof TypeError && message.test(error.message));
    }
    assert.throws(
      () => resolveConfig({ otlpHeaders: { authorization: 'Bearer hush', n: 1 as never } }, parseEnv({})),
      (error: Error) => !error.message.includes('hush'),
    );
  });
});
