/**
 * Outgoing calls made by a handler (global fetch and node:http) reach the next service with the
 * invocation's trace context and request id, as that service would read them off the wire.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.ts';
import { traceparents } from '../fixtures/events/index.ts';
import { runScenario } from './traces-harness.ts';

const CLIENT = 3;
const [, API_TRACE_ID] = traceparents.api.split('-') as [string, string];

let downstream: Server;
let downstreamUrl: string;
let received = new Map<string, IncomingHttpHeaders>();
let otlp: OtlpReceiver;

before(async () => {
  otlp = await startOtlpReceiver();
  downstream = createServer((req, res) => {
    received.set(new URL(req.url ?? '/', 'http://x').pathname, req.headers);
    res.end('ok');
  });
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
  downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`;
});
after(async () => {
  downstream.closeAllConnections();
  await new Promise((resolve) => downstream.close(resolve));
  await otlp.close();
});

function parseTraceparent(value: unknown): { traceId: string; parentId: string; flags: string } {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(String(value));
  assert.ok(match, `not a traceparent: ${String(value)}`);
  return { traceId: match[1]!, parentId: match[2]!, flags: match[3]! };
}

function clientSpan(spans: ReceivedSpan[], path: string): ReceivedSpan {
  const span = spans.find((s) => s.kind === CLIENT && String(s.attributes['url.full']).endsWith(path));
  assert.ok(span, `no CLIENT span for ${path}`);
  return span;
}

async function run(env: Record<string, string>) {
  received = new Map();
  otlp.reset();
  return runScenario('fetch', { TARGET_URL: downstreamUrl, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.tracesUrl, ...env });
}

describe('outgoing HTTP propagation', () => {
  test('fetch and node:http carry traceparent, tracestate and X-Request-ID of the invocation, through a CLIENT span', async () => {
    const result = await run({});
    assert.deepEqual(JSON.parse((result.result.result as { body: string }).body), { viaFetch: 200, viaHttp: 200 });
    const spans = await otlp.waitForSpans(4);
    assert.equal(spans.length, 4, 'root, call inventory and one CLIENT span per call');
    const root = spans.find((s) => s.kind === 2);
    assert.ok(root);
    assert.equal(root.traceId, API_TRACE_ID);

    const outside = received.get('/outside');
    assert.ok(outside, 'the call made outside an invocation arrived');
    assert.equal(outside.traceparent, undefined, 'nothing is added outside an invocation');
    assert.equal(outside['x-request-id'], undefined);

    for (const [path, via] of [
      ['/fetch', 'fetch'],
      ['/http', 'node:http'],
    ] as const) {
      const headers = received.get(path);
      assert.ok(headers, `${via} call arrived`);
      const parent = parseTraceparent(headers.traceparent);
      assert.equal(parent.traceId, root.traceId, `${via}: the downstream service joins the invocation's trace`);
      assert.equal(parent.flags, '01');
      assert.equal(headers.tracestate, traceparents.apiTracestate, `${via}: tracestate travels on`);
      assert.equal(headers['x-request-id'], 'req-rest-123', `${via}: the caller's X-Request-ID travels on`);
      const client = clientSpan(spans, path);
      assert.equal(parent.parentId, client.spanId, `${via}: the downstream parent is the CLIENT span`);
      assert.equal(client.traceId, root.traceId);
      assert.equal(client.name, 'GET');
      assert.equal(client.attributes['http.request.method'], 'GET');
      assert.equal(client.attributes['server.address'], '127.0.0.1');
      assert.equal(client.attributes['server.port'], BigInt(new URL(downstreamUrl).port));
      assert.equal(client.attributes['url.full'], `${downstreamUrl}${path}`, `${via}: no query string in url.full`);
      assert.equal(client.attributes['http.response.status_code'], 200n);
    }
    const inventory = spans.find((s) => s.name === 'call inventory');
    assert.equal(clientSpan(spans, '/fetch').parentSpanId, inventory?.spanId, 'the CLIENT span is a child of the active span');
    assert.equal(clientSpan(spans, '/http').parentSpanId, root.spanId);

    for (const request of otlp.requests()) {
      assert.equal(request.headers.traceparent, undefined, "the exporter's own requests are not traced");
    }
  });

  test('OTEL_PROPAGATORS=xray writes X-Amzn-Trace-Id instead of traceparent', async () => {
    await run({ OTEL_PROPAGATORS: 'xray' });
    const spans = await otlp.waitForSpans(4);
    const headers = received.get('/fetch');
    assert.ok(headers);
    assert.equal(headers.traceparent, undefined);
    const client = clientSpan(spans, '/fetch');
    assert.equal(
      headers['x-amzn-trace-id'],
      `Root=1-${API_TRACE_ID.slice(0, 8)}-${API_TRACE_ID.slice(8)};Parent=${client.spanId};Sampled=1`,
    );
    assert.equal(headers['x-request-id'], 'req-rest-123');
  });

  test('LAMBDA_OBSERVE_PROPAGATE_HTTP=false leaves outgoing calls alone', async () => {
    await run({ LAMBDA_OBSERVE_PROPAGATE_HTTP: 'false' });
    const spans = await otlp.waitForSpans(2);
    assert.equal(spans.length, 2, 'root and call inventory only');
    for (const path of ['/fetch', '/http']) {
      const headers = received.get(path);
      assert.ok(headers, `${path} arrived`);
      assert.equal(headers.traceparent, undefined);
      assert.equal(headers['x-request-id'], undefined);
    }
    assert.equal(spans.filter((s) => s.kind === CLIENT).length, 0);
  });
});
