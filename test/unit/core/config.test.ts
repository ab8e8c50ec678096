/** Env parsing falls back with a warning; code options merge over env. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnv, resolveConfig } from '../../../src/config.ts';

describe('env', () => {
  it('reads Lambda and lambda-observe variables', () => {
    const env = parseEnv({
      AWS_LAMBDA_FUNCTION_NAME: 'orders',
      AWS_LAMBDA_FUNCTION_VERSION: '7',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_REGION: 'eu-west-1',
      LAMBDA_OBSERVE_LOG_LEVEL: 'DEBUG',
      LAMBDA_OBSERVE_TIMEOUT_MARGIN_MS: '250',
      OTEL_TRACES_EXPORTER: 'console, otlp',
    });
    const config = resolveConfig(undefined, env);
    assert.equal(config.serviceName, 'orders');
    assert.equal(config.serviceVersion, '7');
    assert.equal(config.memoryMb, 512);
    assert.equal(config.region, 'eu-west-1');
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.timeoutMarginMs, 250);
    assert.deepEqual(config.tracesExporter, ['console', 'otlp']);
    assert.deepEqual(env.warnings, []);
  });

  it('bad values fall back to defaults and each leaves one warning', () => {
    const env = parseEnv({
      LAMBDA_OBSERVE_LOG_LEVEL: 'loud',
      LAMBDA_OBSERVE_TIMEOUT_MARGIN_MS: '-3',
      LAMBDA_OBSERVE_XRAY_PARENT: 'maybe',
      OTEL_TRACES_EXPORTER: 'jaeger',
    });
    const config = resolveConfig(undefined, env);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.timeoutMarginMs, 500);
    assert.equal(config.xrayParent, false);
    assert.deepEqual(config.tracesExporter, ['none']);
    assert.equal(env.warnings.length, 4);
    assert.ok(env.warnings.every((w) => /LAMBDA_OBSERVE|OTEL_/.test(w)));
  });

  it("Lambda's own log level names are honoured (TRACE → debug, FATAL → error)", () => {
    assert.equal(resolveConfig(undefined, parseEnv({ AWS_LAMBDA_LOG_LEVEL: 'TRACE' })).logLevel, 'debug');
    assert.equal(resolveConfig(undefined, parseEnv({ AWS_LAMBDA_LOG_LEVEL: 'FATAL' })).logLevel, 'error');
    const both = parseEnv({ AWS_LAMBDA_LOG_LEVEL: 'ERROR', LAMBDA_OBSERVE_LOG_LEVEL: 'warn' });
    assert.equal(resolveConfig(undefined, both).logLevel, 'warn');
  });

  it('code options win over env; an OTLP endpoint turns the otlp exporter on by default', () => {
    const env = parseEnv({ OTEL_SERVICE_NAME: 'from-env', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });
    assert.deepEqual(resolveConfig(undefined, env).tracesExporter, ['otlp']);
    const config = resolveConfig({ serviceName: 'from-code', tracesExporter: ['none'] }, env);
    assert.equal(config.serviceName, 'from-code');
    assert.deepEqual(config.tracesExporter, ['none']);
  });
});
