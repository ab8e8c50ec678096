/**
 * Traces over OTLP/HTTP, as Jaeger's OTLP receiver (port 4318) takes them: JSON, protobuf and
 * gzip, configured through OTEL_* env or code options, end-to-end through `observe()` in a child
 * process, decoded by the loopback receiver.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedRequest, type ReceivedSpan } from '../support/otlp-receiver.ts';
import { traceparents } from '../fixtures/events/index.ts';
import { runScenario, type ScenarioRun } from './traces-harness.ts';

const SERVER = 2;
const INTERNAL = 1;
const CONSUMER = 5;
const STATUS_UNSET = 0;
const STATUS_ERROR = 2;
const [, API_TRACE_ID, API_PARENT_ID] = traceparents.api.split('-') as [string, string, string];

let receiver: OtlpReceiver;
before(async () => {
  receiver = await startOtlpReceiver();
});
after(() => receiver.close());

/** The init warm-up: an ExportTraceServiceRequest with no spans (empty protobuf, or no resourceSpans in JSON). */
function isEmptyExport(request: ReceivedRequest): boolean {
  if (request.contentType === 'application/x-protobuf') return request.body.length === 0;
  const body = JSON.parse(request.body.toString('utf8')) as { resourceSpans?: unknown[] };
  return (body.resourceSpans ?? []).length === 0;
}

function byName(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const span = spans.find((s) => s.name === name);
  assert.ok(span, `no span named ${JSON.stringify(name)} among ${spans.map((s) => s.name).join(', ')}`);
  return span;
}

/** What every variant must deliver for the API Gateway scenario. */
function assertApiTrace(spans: ReceivedSpan[], run: ScenarioRun): void {
  assert.equal(spans.length, 3, 'root + two children');
  const root = byName(spans, 'GET /orders/{id}');
  const wide = run.wideEvents[0];
  assert.ok(wide, 'a wide event was written');

  // The W3C parent of the incoming request is honoured.
  assert.equal(root.kind, SERVER);
  assert.equal(root.traceId, API_TRACE_ID);
  assert.equal(root.parentSpanId, API_PARENT_ID);
  assert.equal(root.traceState, traceparents.apiTracestate);
  assert.equal(root.status.code, STATUS_UNSET);
  assert.equal(root.attributes['http.request.method'], 'GET');
  assert.equal(root.attributes['http.route'], '/orders/{id}');
  assert.equal(root.attributes['http.response.status_code'], 200n);
  assert.equal(root.attributes['faas.trigger'], 'http');
  assert.equal(root.attributes['faas.coldstart'], true);
  assert.equal(root.attributes['cloud.account.id'], '123456789012');
  assert.equal(root.attributes['faas.invocation_id'], (wide.faas as Record<string, unknown>).invocation_id);

  const load = byName(spans, 'load order');
  assert.equal(load.kind, INTERNAL);
  assert.equal(load.traceId, root.traceId);
  assert.equal(load.parentSpanId, root.spanId);
  assert.equal(load.attributes['order.id'], '42');
  assert.equal(load.status.code, STATUS_UNSET);
  assert.ok(load.endTimeUnixNano >= load.startTimeUnixNano + 4_000_000n, 'the span covers the awaited work');

  const charge = byName(spans, 'charge card');
  assert.equal(charge.parentSpanId, root.spanId);
  assert.deepEqual(charge.status, { code: STATUS_ERROR, message: 'card declined' });
  assert.equal(charge.attributes['error.type'], 'TypeError');
  const exception = charge.events.find((e) => e.name === 'exception');
  assert.ok(exception, 'the exception is recorded as an event');
  assert.equal(exception.attributes['exception.type'], 'TypeError');
  assert.equal(exception.attributes['exception.message'], 'card declined');

  assert.deepEqual(
    {
      'service.name': root.resource['service.name'],
      'service.version': root.resource['service.version'],
      'cloud.provider': root.resource['cloud.provider'],
      'cloud.platform': root.resource['cloud.platform'],
      'cloud.region': root.resource['cloud.region'],
      'faas.name': root.resource['faas.name'],
      'faas.version': root.resource['faas.version'],
      'faas.instance': root.resource['faas.instance'],
      'faas.max_memory': root.resource['faas.max_memory'],
      'telemetry.sdk.name': root.resource['telemetry.sdk.name'],
      'telemetry.sdk.language': root.resource['telemetry.sdk.language'],
    },
    {
      'service.name': 'orders-api',
      'service.version': '7',
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_lambda',
      'cloud.region': 'eu-west-1',
      'faas.name': 'orders',
      'faas.version': '7',
      'faas.instance': '2026/11/22/[7]0123456789abcdef',
      'faas.max_memory': 268435456n,
      'telemetry.sdk.name': 'opentelemetry',
      'telemetry.sdk.language': 'nodejs',
    },
  );
  assert.match(String(root.resource['telemetry.sdk.version']), /^\d+\.\d+\.\d+/);
  assert.equal(root.scope.name, 'lambda-observe');

  // One trace id everywhere: the span, the handler's log line, the wide event.
  const userLine = run.lines.find((line) => line.logger === 'orders');
  assert.ok(userLine, 'the handler logged');
  assert.equal(userLine.trace_id, root.traceId);
  assert.equal(userLine.span_id, root.spanId);
  assert.equal(wide.trace_id, root.traceId);
  assert.equal(wide.span_id, root.spanId);
  assert.deepEqual(run.warnings, [], 'no warning on the happy path');
}

const variants = [
  { name: 'OTLP/JSON via env', env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, contentType: 'application/json', encoding: 'identity' },
  { name: 'OTLP/protobuf via env (the default protocol)', env: {}, contentType: 'application/x-protobuf', encoding: 'identity' },
  {
    name: 'OTLP/protobuf + gzip via env',
    env: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' },
    contentType: 'application/x-protobuf',
    encoding: 'gzip',
  },
  { name: 'OTLP/JSON + gzip via code options', env: {}, options: { otlpProtocol: 'http/json', otlpCompression: 'gzip' }, contentType: 'application/json', encoding: 'gzip' },
] as const;

describe('OTLP/HTTP export through observe()', () => {
  for (const variant of variants) {
    test(`${variant.name}: spans, ids, status, exceptions, attributes, resource, log correlation`, async () => {
      receiver.reset();
      const options = 'options' in variant ? { ...variant.options, otlpTracesEndpoint: receiver.tracesUrl, tracesExporter: ['otlp'] } : undefined;
      const env: Record<string, string> = options
        ? { OBSERVE_OPTIONS: JSON.stringify(options) }
        : { ...variant.env, OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
      const run = await runScenario('api', env);
      assert.equal((run.result.result as { statusCode: number }).statusCode, 200);
      const spans = await receiver.waitForSpans(3);
      // The metrics signal may post to /v1/metrics of the same general endpoint.
      const requests = receiver.requests().filter((r) => r.path === '/v1/traces');
      const [warmUp, ...others] = requests.filter(isEmptyExport);
      assert.ok(warmUp, 'one empty export at init opens the connection');
      assert.deepEqual(others, []);
      const withSpans = requests.filter((r) => !isEmptyExport(r));
      assert.equal(withSpans.length, 1, 'one request per invocation');
      for (const request of requests) {
        assert.equal(request.contentType, variant.contentType);
        assert.equal(request.encoding, variant.encoding);
        assert.equal(request.status, 200);
      }
      assertApiTrace(spans, run);
    });
  }

  test('the traces endpoint variable is used as is, and headers reach the backend', async () => {
    receiver.reset();
    await runScenario('api', {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cr%3Dt,x-team=orders',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    await receiver.waitForSpans(3);
    const request = receiver.requests().find((r) => r.path === '/v1/traces' && !isEmptyExport(r));
    assert.equal(request?.headers['x-api-key'], 's3cr=t');
    assert.equal(request?.headers['x-team'], 'orders');
  });

  test('an SQS batch: a CONSUMER span linked to each message that carries a context, W3C and X-Ray', async () => {
    receiver.reset();
    const run = await runScenario('sqs', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    const [root] = await receiver.waitForSpans(1);
    assert.ok(root);
    assert.equal(root.kind, CONSUMER);
    assert.equal(root.name, 'process orders-queue');
    assert.equal(root.parentSpanId, '', 'a batch has no single parent');
    assert.equal(root.attributes['messaging.system'], 'aws_sqs');
    assert.equal(root.attributes['messaging.batch.message_count'], 3n);
    // Records 1 (W3C message attribute) and 2 (AWSTraceHeader) carry one; record 3 none.
    const [, w3cTrace, w3cSpan] = traceparents.sqsRecord1.split('-');
    assert.deepEqual(
      root.links.map((l) => [l.traceId, l.spanId]),
      [
        [w3cTrace, w3cSpan],
        ['5759e988bd862e3fe1be46a994272793', '53995c3f42cd8ad8'],
      ],
    );
    assert.equal(run.wideEvents[0]?.trace_id, root.traceId);
  });

  test('a timed-out invocation exports its root and its open child with a timeout status, before the deadline', async () => {
    receiver.reset();
    const started = performance.now();
    const running = runScenario('timeout', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    const spans = await receiver.waitForSpans(2, 5000);
    const exportedAfterMs = performance.now() - started;
    const run = await running;
    // The handler itself ran on for 2.5 s: the spans were sent while it was still running.
    assert.ok(
      exportedAfterMs < Number(run.result.handlerReturnedAfterMs),
      `spans arrived after ${Math.round(exportedAfterMs)} ms, the handler returned after ${Math.round(Number(run.result.handlerReturnedAfterMs))} ms`,
    );
    const root = byName(spans, 'GET /orders/{id}');
    const slow = byName(spans, 'slow call');
    for (const span of [root, slow]) {
      assert.deepEqual(span.status, { code: STATUS_ERROR, message: 'invocation timed out' }, span.name);
      assert.equal(span.attributes['error.type'], 'timeout', span.name);
    }
    assert.equal(slow.parentSpanId, root.spanId);
    const wide = run.wideEvents[0];
    assert.equal(wide?.outcome, 'timeout');
    assert.equal(wide?.trace_id, root.traceId);
  });
});
