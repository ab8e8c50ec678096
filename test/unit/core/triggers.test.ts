/**
 * Every event source, end to end through observe(): the span (console exporter line), the wide
 * event and the log lines are parsed and checked against what the fixture carries.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { observe, getLogger } from '../../../src/index.ts';
import { fixtures, traceparents, type FixtureName } from '../../fixtures/events/index.ts';
import { captureOutput, type Capture, type Line } from '../../support/capture.ts';
import { lambdaContext } from '../../support/lambda-context.ts';

const SERVER = 1;
const CONSUMER = 4;

interface Expected {
  trigger: string;
  source: string;
  spanName: string;
  kind: number;
  parentTraceId?: string;
  parentSpanId?: string;
  links?: number;
  requestId?: string;
  route?: string;
  method?: string;
}

const traceIdOf = (tp: string) => tp.split('-')[1];
const spanIdOf = (tp: string) => tp.split('-')[2];

const cases: Partial<Record<FixtureName, Expected>> = {
  api: {
    trigger: 'http', source: 'aws:apigateway:rest', spanName: 'GET /orders/{id}', kind: SERVER,
    parentTraceId: traceIdOf(traceparents.api), parentSpanId: spanIdOf(traceparents.api),
    requestId: 'req-rest-123', route: '/orders/{id}', method: 'GET',
  },
  http: {
    trigger: 'http', source: 'aws:apigateway:http', spanName: 'POST /orders', kind: SERVER,
    parentTraceId: traceIdOf(traceparents.http), requestId: 'req-http-456', route: '/orders', method: 'POST',
  },
  alb: {
    trigger: 'http', source: 'aws:elb', spanName: 'GET', kind: SERVER,
    parentTraceId: traceIdOf(traceparents.alb), requestId: 'req-alb-789', method: 'GET',
  },
  url: {
    trigger: 'http', source: 'aws:lambda:url', spanName: 'POST', kind: SERVER,
    parentTraceId: traceIdOf(traceparents.url), requestId: 'req-url-321', method: 'POST',
  },
  sqs: { trigger: 'pubsub', source: 'aws:sqs', spanName: 'process orders-queue', kind: CONSUMER, links: 2 },
  'sqs-single': {
    trigger: 'pubsub', source: 'aws:sqs', spanName: 'process orders-queue', kind: CONSUMER,
    parentTraceId: traceIdOf(traceparents.sqsSingle), links: 1,
  },
  sns: {
    trigger: 'pubsub', source: 'aws:sns', spanName: 'process orders-topic', kind: CONSUMER,
    parentTraceId: traceIdOf(traceparents.sns), links: 1,
  },
  eventbridge: {
    trigger: 'pubsub', source: 'aws:events', spanName: 'process OrderPlaced', kind: CONSUMER,
    parentTraceId: traceIdOf(traceparents.eventbridge), links: 1,
  },
  schedule: { trigger: 'timer', source: 'aws:scheduler', spanName: 'orders-api', kind: SERVER },
  direct: { trigger: 'other', source: 'aws:lambda:invoke', spanName: 'orders-api', kind: SERVER },
};

let capture: Capture;
const log = getLogger('triggers-test');
const handler = observe(
  async (event: unknown) => {
    log.info('handled');
    return { statusCode: 200, body: JSON.stringify({ seen: typeof event }) };
  },
  { tracesExporter: ['console'] },
);

before(() => {
  capture = captureOutput();
});
after(() => capture.stop());

async function invoke(event: unknown, clientContext?: unknown) {
  capture.clear();
  const context = lambdaContext({ clientContext });
  const result = await handler(event, context);
  const span = capture.spans().find((s) => !s.parent_span_id || s.attributes['faas.invocation_id']) as Line;
  const [event0, ...more] = capture.events();
  assert.equal(more.length, 0, 'exactly one wide event per invocation');
  return { result, span, wide: event0 as Line, logs: capture.logs(), context };
}

describe('trigger detection through observe()', () => {
  for (const [name, expected] of Object.entries(cases) as [FixtureName, Expected][]) {
    it(`${name}: span, wide event and logs agree with the event`, async () => {
      const { span, wide, logs, context } = await invoke(fixtures[name]());
      assert.equal(span.name, expected.spanName);
      assert.equal(span.kind, expected.kind);
      assert.equal(span.attributes['faas.trigger'], expected.trigger);
      assert.equal(span.attributes['faas.invocation_id'], context.awsRequestId);
      assert.equal(wide.faas.trigger, expected.trigger);
      assert.equal(wide.event_source, expected.source);
      if (expected.parentTraceId) {
        assert.equal(span.trace_id, expected.parentTraceId);
      } else {
        assert.match(span.trace_id, /^[0-9a-f]{32}$/);
        assert.equal(span.parent_span_id, undefined, 'no parent without a carrier');
      }
      if (expected.parentSpanId) assert.equal(span.parent_span_id, expected.parentSpanId);
      assert.equal(span.links.length, expected.links ?? 0);
      assert.equal(wide.trace_id, span.trace_id);
      assert.equal(wide.span_id, span.span_id);
      assert.equal(wide.request_id, expected.requestId ?? context.awsRequestId);
      assert.equal(wide.faas.invocation_id, context.awsRequestId);
      const handled = logs.find((l) => l.message === 'handled') as Line;
      assert.equal(handled.trace_id, span.trace_id);
      assert.equal(handled.span_id, span.span_id);
      assert.equal(handled.request_id, wide.request_id);
      assert.equal(handled.faas.invocation_id, context.awsRequestId);
      if (expected.method) {
        assert.equal(wide.http.request.method, expected.method);
        assert.equal(span.attributes['http.request.method'], expected.method);
        assert.equal(wide.http.route, expected.route);
        assert.equal(wide.http.response.status_code, 200);
        assert.equal(span.attributes['http.response.status_code'], 200);
      } else {
        assert.equal(wide.http, undefined);
      }
    });
  }

  it('sqs batch: one link per message with a context, W3C and X-Ray alike', async () => {
    const { span } = await invoke(fixtures.sqs());
    const linked = span.links.map((l: Line) => l.trace_id).sort();
    assert.deepEqual(linked, [traceIdOf(traceparents.sqsRecord1), '5759e988bd862e3fe1be46a994272793'].sort());
    assert.equal(span.attributes['messaging.system'], 'aws_sqs');
    assert.equal(span.attributes['messaging.batch.message_count'], 3);
    assert.equal(span.attributes['messaging.destination.name'], 'orders-queue');
  });

  it('direct invocation: the client context carries the parent', async () => {
    const { event, clientContext } = fixtures['direct-client-context']();
    const { span } = await invoke(event, clientContext);
    assert.equal(span.trace_id, traceIdOf(traceparents.directClientContext));
    assert.equal(span.parent_span_id, spanIdOf(traceparents.directClientContext));
  });

  it('HTTP responses carry X-Request-ID back, without clobbering one the handler set', async () => {
    const { result } = await invoke(fixtures.api());
    assert.equal((result as unknown as { headers: Record<string, string> }).headers['X-Request-ID'], 'req-rest-123');
    const own = observe(async () => ({ statusCode: 201, headers: { 'x-request-id': 'mine' }, body: '' }));
    const response = (await own(fixtures.api(), lambdaContext())) as unknown as { headers: Record<string, string> };
    assert.deepEqual(response.headers, { 'x-request-id': 'mine' });
  });

  it('a malformed traceparent is ignored with one warning, and a new trace starts', async () => {
    const first = await invoke(fixtures['api-bad-traceparent']());
    assert.match(first.span.trace_id, /^[0-9a-f]{32}$/);
    assert.equal(first.span.parent_span_id, undefined);
    const warnings = first.logs.filter((l) => l.level === 'warn' && /malformed traceparent/.test(l.message));
    assert.equal(warnings.length, 1);
    const second = await invoke(fixtures['api-bad-traceparent']());
    assert.equal(second.logs.filter((l) => /malformed traceparent/.test(l.message)).length, 0, 'warned once per environment');
    assert.notEqual(second.span.trace_id, first.span.trace_id);
  });

  it('SQS attributes without a value and a null attribute map: warned, not thrown', async () => {
    const { span, wide, logs } = await invoke(fixtures['sqs-bad-attributes']());
    assert.equal(wide.outcome, 'success');
    assert.equal(span.links.length, 0);
    assert.ok(logs.some((l) => l.level === 'warn' && /stringValue/.test(l.message)));
  });

  it('an HTTP API event without headers still works and uses the AWS request id', async () => {
    const { wide, context } = await invoke(fixtures['http-no-headers']());
    assert.equal(wide.outcome, 'success');
    assert.equal(wide.request_id, context.awsRequestId);
  });

  it('X-Ray: a sampled runtime header is the parent only when enabled, and it is read per invocation', async () => {
    const xray = observe(async () => 'ok', { xrayParent: true });
    const plain = observe(async () => 'ok');
    const headers = [
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      'Root=1-6759e988-cd862e3fe1be46a994272794;Parent=63995c3f42cd8ad9;Sampled=1',
    ];
    try {
      for (const header of headers) {
        process.env._X_AMZN_TRACE_ID = header;
        capture.clear();
        await xray(fixtures.direct(), lambdaContext());
        const [, epoch, random, parent] = /Root=1-(\w{8})-(\w{24});Parent=(\w{16})/.exec(header) ?? [];
        assert.equal(capture.events()[0]?.trace_id, `${epoch}${random}`);
        assert.equal(capture.spans().find((s) => s.span_id === capture.events()[0]?.span_id)?.parent_span_id, parent);
      }
      capture.clear();
      await plain(fixtures.direct(), lambdaContext());
      assert.notEqual(capture.events()[0]?.trace_id, '6759e988cd862e3fe1be46a994272794', 'off by default');
      process.env._X_AMZN_TRACE_ID = 'Root=1-7759e988-dd862e3fe1be46a994272795;Parent=73995c3f42cd8ad0;Sampled=0';
      capture.clear();
      await xray(fixtures.direct(), lambdaContext());
      assert.notEqual(capture.events()[0]?.trace_id, '7759e988dd862e3fe1be46a994272795', 'an unsampled header is not a parent');
    } finally {
      delete process.env._X_AMZN_TRACE_ID;
    }
  });
});
