/**
 * OTEL_TRACES_SAMPLER / _ARG end to end, and how bad OTEL_* values degrade: one warning, the safe
 * default, traces still flowing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { traceparents } from '../fixtures/events/index.ts';
import { runScenario } from './traces-harness.ts';

let otlp: OtlpReceiver;
before(async () => {
  otlp = await startOtlpReceiver();
});
after(() => otlp.close());

const traceRequests = () => otlp.requests().filter((r) => r.path === '/v1/traces');

describe('sampling and bad values', () => {
  test('parentbased_traceidratio with ratio 0 keeps a trace sampled upstream and drops a new one; logs keep their trace_id', async () => {
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.tracesUrl, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' };
    otlp.reset();
    await runScenario('api', env);
    const spans = await otlp.waitForSpans(3);
    assert.ok(spans.every((s) => s.traceId === traceparents.api.split('-')[1]), 'the upstream decision is followed');

    otlp.reset();
    const run = await runScenario('sqs', env);
    assert.equal(otlp.spans().length, 0, 'a new trace at ratio 0 is not exported');
    assert.match(String(run.wideEvents[0]?.trace_id), /^[0-9a-f]{32}$/, 'the wide event still carries a trace id');
  });

  test('an unknown sampler and grpc protocol: one warning each, defaults used, spans still exported', async () => {
    otlp.reset();
    const run = await runScenario('api', {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_TRACES_SAMPLER: 'jaeger_remote',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    await otlp.waitForSpans(3);
    assert.equal(traceRequests()[0]?.contentType, 'application/x-protobuf');
    const messages = run.warnings.map((w) => String(w.message));
    assert.equal(messages.filter((m) => m.includes('OTEL_TRACES_SAMPLER')).length, 1, messages.join('\n'));
    assert.equal(messages.filter((m) => m.includes('OTEL_EXPORTER_OTLP_PROTOCOL=grpc')).length, 1, messages.join('\n'));
  });
});
