/**
 * Traces to Zipkin (`POST /api/v2/spans`, JSON v2), end-to-end through `observe()` in a child
 * process, decoded as Zipkin itself reads and stores them (ids, lower-cased names, tags).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { startZipkinReceiver, type ZipkinReceiver, type ZipkinSpan } from '../support/zipkin-receiver.ts';
import { traceparents } from '../fixtures/events/index.ts';
import { runScenario } from './traces-harness.ts';

const [, API_TRACE_ID, API_PARENT_ID] = traceparents.api.split('-') as [string, string, string];

let zipkin: ZipkinReceiver;
let otlp: OtlpReceiver;
before(async () => {
  zipkin = await startZipkinReceiver();
  otlp = await startOtlpReceiver();
});
after(async () => {
  await zipkin.close();
  await otlp.close();
});

function byName(spans: ZipkinSpan[], name: string): ZipkinSpan {
  const span = spans.find((s) => s.name === name);
  assert.ok(span, `no span named ${JSON.stringify(name)} among ${spans.map((s) => s.name).join(', ')}`);
  return span;
}

describe('Zipkin export through observe()', () => {
  test('spans as Zipkin stores them: ids, parent, kind, error tags, exception annotation, semconv tags, resource, log correlation', async () => {
    zipkin.reset();
    const run = await runScenario('api', { OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: zipkin.spansUrl });
    const spans = await zipkin.waitForSpans(3);
    assert.deepEqual(zipkin.rejections(), []);
    assert.equal(spans.length, 3);

    const root = byName(spans, 'get /orders/{id}'); // Zipkin lower-cases names
    assert.equal(root.traceId, API_TRACE_ID);
    assert.equal(root.parentId, API_PARENT_ID);
    assert.equal(root.kind, 'SERVER');
    assert.equal(root.localEndpoint?.serviceName, 'orders-api');
    assert.equal(root.tags['http.request.method'], 'GET');
    assert.equal(root.tags['http.route'], '/orders/{id}');
    assert.equal(root.tags['http.response.status_code'], '200');
    assert.equal(root.tags['faas.trigger'], 'http');
    assert.equal(root.tags['cloud.account.id'], '123456789012');
    assert.equal(root.tags['cloud.region'], 'eu-west-1', 'resource attributes travel as tags');
    assert.equal(root.tags['faas.name'], 'orders');
    assert.equal(root.tags['service.version'], '7');
    assert.equal(root.tags['telemetry.sdk.language'], 'nodejs');
    assert.equal(root.tags.error, undefined, 'a successful root carries no error tag');
    assert.ok((root.duration ?? 0) > 0 && (root.timestamp ?? 0) > 0);

    const load = byName(spans, 'load order');
    assert.equal(load.traceId, root.traceId);
    assert.equal(load.parentId, root.id);
    assert.equal(load.kind, undefined, 'INTERNAL has no Zipkin kind');
    assert.equal(load.tags['order.id'], '42');

    const charge = byName(spans, 'charge card');
    assert.equal(charge.parentId, root.id);
    assert.equal(charge.tags['otel.status_code'], 'ERROR');
    assert.equal(charge.tags.error, 'card declined');
    assert.equal(charge.tags['error.type'], 'TypeError');
    assert.deepEqual(
      charge.annotations.map((a) => a.value),
      ['exception'],
    );

    const wide = run.wideEvents[0];
    assert.equal(wide?.trace_id, root.traceId);
    assert.equal(wide?.span_id, root.id);
    const userLine = run.lines.find((line) => line.logger === 'orders');
    assert.equal(userLine?.trace_id, root.traceId);
    assert.deepEqual(run.warnings, []);
  });

  test('an SQS batch becomes one CONSUMER span (Zipkin v2 has no links: they are visible over OTLP only)', async () => {
    zipkin.reset();
    const run = await runScenario('sqs', { OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: zipkin.spansUrl });
    const [root] = await zipkin.waitForSpans(1);
    assert.equal(root?.kind, 'CONSUMER');
    assert.equal(root?.name, 'process orders-queue');
    assert.equal(root?.parentId, undefined);
    assert.equal(root?.tags['messaging.batch.message_count'], '3');
    assert.equal(run.wideEvents[0]?.trace_id, root?.traceId);
  });

  test('a timed-out invocation: root and open child carry the timeout error', async () => {
    zipkin.reset();
    const run = await runScenario('timeout', { OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: zipkin.spansUrl });
    const spans = await zipkin.waitForSpans(2);
    for (const name of ['get /orders/{id}', 'slow call']) {
      const span = byName(spans, name);
      assert.equal(span.tags['otel.status_code'], 'ERROR', name);
      assert.equal(span.tags.error, 'invocation timed out', name);
      assert.equal(span.tags['error.type'], 'timeout', name);
    }
    assert.equal(run.wideEvents[0]?.outcome, 'timeout');
  });

  test('OTEL_TRACES_EXPORTER=otlp,zipkin sends the same trace to both', async () => {
    zipkin.reset();
    otlp.reset();
    await runScenario('api', {
      OTEL_TRACES_EXPORTER: 'otlp,zipkin',
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: zipkin.spansUrl,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.tracesUrl,
    });
    const viaZipkin = await zipkin.waitForSpans(3);
    const viaOtlp = await otlp.waitForSpans(3);
    assert.deepEqual(
      viaZipkin.map((s) => `${s.traceId}/${s.id}`).sort(),
      viaOtlp.map((s) => `${s.traceId}/${s.spanId}`).sort(),
    );
  });
});
