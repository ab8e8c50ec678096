/**
 * Proves the loopback receivers (test/support/otlp-receiver.ts, zipkin-receiver.ts) decode what
 * the real OpenTelemetry exporters put on the wire, refuse what the real backends refuse, and
 * that their failure behaviours look to an exporter like a failing backend does. Other tests
 * trust these receivers in place of Jaeger and Zipkin, so this is where that trust is earned.
 */
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { HrTime, SpanContext } from '@opentelemetry/api';
import { ExportResultCode, hrTimeToMicroseconds } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { BehaviourOptions, OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver.ts';
import { decodeRpcStatus } from '../support/otlp-proto.ts';
import { startZipkinReceiver } from '../support/zipkin-receiver.ts';
import type { ZipkinReceiver, ZipkinSpan } from '../support/zipkin-receiver.ts';

// ───────────────────────────── What the tests emit ─────────────────────────────

const RESOURCE = { 'service.name': 'orders-api', 'deployment.environment.name': 'test' };
const SCOPE = { name: 'receivers-test', version: '1.2.3' };
const PARENT_NAME = 'GET /orders/{id}';
const PARENT_ATTRIBUTES = {
  'http.route': '/orders/{id}',
  'retry.count': 3,
  'cache.hit': true,
  'sample.ratio': 0.25,
  'order.tags': ['priority', 'gift'],
};
/** A span of another trace the child links to (e.g. the message that triggered it). */
const UPSTREAM: SpanContext = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: 1,
  isRemote: true,
};

interface EmittedTrace {
  parent: ReadableSpan;
  child: ReadableSpan;
}

function providerFor(exporter: SpanExporter, memory: InMemorySpanExporter): TracerProvider {
  return new TracerProvider({
    resource: resourceFromAttributes(RESOURCE),
    spanProcessors: [new SimpleSpanProcessor({ exporter }), new SimpleSpanProcessor({ exporter: memory })],
  });
}

/**
 * Emits a failed SERVER span with a CLIENT child through `exporter`, as an instrumented handler
 * would, and returns the spans as the SDK saw them, to compare with what the receiver decoded.
 */
async function emitTrace(exporter: SpanExporter): Promise<EmittedTrace> {
  const memory = new InMemorySpanExporter();
  const provider = providerFor(exporter, memory);
  const tracer = provider.getTracer(SCOPE.name, SCOPE.version);
  const parent = tracer.startSpan(PARENT_NAME, { kind: SpanKind.SERVER, attributes: PARENT_ATTRIBUTES });
  parent.addEvent('cache.lookup', { 'cache.key': 'order:42', 'cache.hit': false });
  parent.recordException(new Error('inventory unavailable'));
  parent.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream failed' });
  const child = tracer.startSpan(
    'GET inventory',
    { kind: SpanKind.CLIENT, links: [{ context: UPSTREAM, attributes: { 'link.reason': 'batched' } }] },
    trace.setSpan(context.active(), parent),
  );
  child.setAttribute('http.response.status_code', 503);
  child.end();
  parent.end();
  await provider.forceFlush();
  const [childSpan, parentSpan] = [...memory.getFinishedSpans()];
  await provider.shutdown();
  return { parent: parentSpan!, child: childSpan! };
}

/** Finished spans to hand an exporter directly, when a test wants the export result itself. */
async function sampleSpans(): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes(RESOURCE),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  provider.getTracer(SCOPE.name).startSpan('sample').end();
  const spans = [...memory.getFinishedSpans()];
  await provider.shutdown();
  return spans;
}

async function exportOnce(exporter: SpanExporter, spans: ReadableSpan[]): Promise<{ result: ExportResult; ms: number }> {
  const started = performance.now();
  const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
  return { result, ms: performance.now() - started };
}

function nanos(time: HrTime): bigint {
  return BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
}

// ───────────────────────────── Receivers and raw HTTP ─────────────────────────────

async function otlpReceiver(t: TestContext, options?: BehaviourOptions): Promise<OtlpReceiver> {
  const receiver = await startOtlpReceiver(options);
  t.after(() => receiver.close());
  return receiver;
}

async function zipkinReceiver(t: TestContext, options?: BehaviourOptions): Promise<ZipkinReceiver> {
  const receiver = await startZipkinReceiver(options);
  t.after(() => receiver.close());
  return receiver;
}

interface RawResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

/** One POST on its own connection (no agent), so nothing lingers after the test. */
function post(url: string, body: string | Uint8Array, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0,
        contentType: res.headers['content-type'] ?? '',
        body: Buffer.concat(chunks),
      }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function postJson(url: string, value: unknown): Promise<RawResponse> {
  return post(url, JSON.stringify(value), { 'content-type': 'application/json' });
}

// ───────────────────────────── OTLP ─────────────────────────────

type Compression = NonNullable<ConstructorParameters<typeof OtlpJsonExporter>[0]>['compression'];
const GZIP = 'gzip' as Compression;

const OTLP_EXPORTERS = [
  { label: 'http/json', contentType: 'application/json', encoding: 'identity', make: (url: string) => new OtlpJsonExporter({ url }) },
  { label: 'http/json + gzip', contentType: 'application/json', encoding: 'gzip', make: (url: string) => new OtlpJsonExporter({ url, compression: GZIP }) },
  { label: 'http/protobuf', contentType: 'application/x-protobuf', encoding: 'identity', make: (url: string) => new OtlpProtoExporter({ url }) },
  { label: 'http/protobuf + gzip', contentType: 'application/x-protobuf', encoding: 'gzip', make: (url: string) => new OtlpProtoExporter({ url, compression: GZIP }) },
];

function spanWithId(spans: ReceivedSpan[], sent: ReadableSpan): ReceivedSpan {
  const found = spans.find((span) => span.spanId === sent.spanContext().spanId);
  assert.ok(found, `no span ${sent.spanContext().spanId} among ${spans.map((s) => s.spanId).join(', ')}`);
  return found;
}

function assertOtlpParent(parent: ReceivedSpan, sent: ReadableSpan): void {
  assert.match(parent.traceId, /^[0-9a-f]{32}$/);
  assert.equal(parent.traceId, sent.spanContext().traceId);
  assert.equal(parent.parentSpanId, '');
  assert.equal(parent.name, PARENT_NAME);
  assert.equal(parent.kind, 2, 'SERVER');
  assert.equal(parent.startTimeUnixNano, nanos(sent.startTime));
  assert.equal(parent.endTimeUnixNano, nanos(sent.endTime));
  assert.deepEqual(parent.status, { code: 2, message: 'upstream failed' });
  // Integers arrive as int64 (bigint here), the ratio as a double, the array as an array.
  assert.deepEqual(parent.attributes, { ...PARENT_ATTRIBUTES, 'retry.count': 3n });
  // Sampled (0x01) plus "has is_remote" (0x100), which the SDK 3.x encoder always sets.
  assert.equal(parent.flags, 0x101);
  assert.deepEqual(parent.events.map((event) => event.name), ['cache.lookup', 'exception']);
  assert.deepEqual(parent.events[0], {
    name: 'cache.lookup',
    timeUnixNano: nanos(sent.events[0]!.time),
    attributes: { 'cache.key': 'order:42', 'cache.hit': false },
  });
  const exception = parent.events[1]!.attributes;
  assert.equal(exception['exception.type'], 'Error');
  assert.equal(exception['exception.message'], 'inventory unavailable');
  assert.match(String(exception['exception.stacktrace']), /^Error: inventory unavailable\n\s+at /);
  assert.deepEqual(parent.links, []);
}

function assertOtlpChild(child: ReceivedSpan, parent: ReceivedSpan): void {
  assert.equal(child.traceId, parent.traceId);
  assert.equal(child.parentSpanId, parent.spanId);
  assert.equal(child.name, 'GET inventory');
  assert.equal(child.kind, 3, 'CLIENT');
  assert.deepEqual(child.status, { code: 0, message: '' });
  assert.deepEqual(child.attributes, { 'http.response.status_code': 503n });
  assert.deepEqual(child.events, []);
  // The link's flags also say the linked context was remote (0x200).
  assert.deepEqual(child.links, [{
    traceId: UPSTREAM.traceId,
    spanId: UPSTREAM.spanId,
    traceState: '',
    attributes: { 'link.reason': 'batched' },
    flags: 0x301,
  }]);
}

describe('OTLP receiver decodes what the real OTLP exporters send', () => {
  for (const { label, contentType, encoding, make } of OTLP_EXPORTERS) {
    test(label, async (t) => {
      const receiver = await otlpReceiver(t);
      const sent = await emitTrace(make(receiver.tracesUrl));
      const spans = await receiver.waitForSpans(2);

      const parent = spanWithId(spans, sent.parent);
      assertOtlpParent(parent, sent.parent);
      assertOtlpChild(spanWithId(spans, sent.child), parent);
      for (const span of spans) {
        assert.equal(span.resource['service.name'], 'orders-api');
        assert.equal(span.resource['deployment.environment.name'], 'test');
        assert.deepEqual(span.scope, SCOPE);
      }

      // SimpleSpanProcessor exports each span as it ends: one request per span.
      const requests = receiver.requests();
      assert.equal(requests.length, 2);
      for (const sentRequest of requests) {
        assert.equal(sentRequest.path, '/v1/traces');
        assert.equal(sentRequest.contentType, contentType);
        assert.equal(sentRequest.encoding, encoding);
        assert.equal(sentRequest.status, 200);
        assert.match(String(sentRequest.headers['user-agent']), /^OTel-OTLP-Exporter-JavaScript\/0\.301\.0$/);
        assert.ok(sentRequest.bytes > 0 && sentRequest.body.length > 0);
      }
    });
  }

  test('JSON ids are hex and integers are JSON numbers, not the strings OTLP/JSON allows', async (t) => {
    const receiver = await otlpReceiver(t);
    const sent = await emitTrace(new OtlpJsonExporter({ url: receiver.tracesUrl }));
    await receiver.waitForSpans(2);
    const parentRequest = receiver.requests().find((r) => r.body.includes(PARENT_NAME))!;
    const raw = JSON.parse(parentRequest.body.toString('utf8'));
    const span = raw.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.traceId, sent.parent.spanContext().traceId);
    assert.equal(span.kind, 2);
    assert.equal(typeof span.startTimeUnixNano, 'string');
    assert.deepEqual(span.attributes.find((kv: { key: string }) => kv.key === 'retry.count').value, { intValue: 3 });
  });
});

describe('OTLP receiver refuses and answers like an OTLP/HTTP receiver', () => {
  test('answers an empty ExportTraceServiceResponse in the request encoding', async (t) => {
    const receiver = await otlpReceiver(t);
    const json = await postJson(receiver.tracesUrl, { resourceSpans: [] });
    assert.equal(json.status, 200);
    assert.equal(json.contentType, 'application/json');
    assert.deepEqual(JSON.parse(json.body.toString()), {});
    const proto = await post(receiver.tracesUrl, new Uint8Array(), { 'content-type': 'application/x-protobuf' });
    assert.equal(proto.status, 200);
    assert.equal(proto.contentType, 'application/x-protobuf');
    assert.equal(proto.body.length, 0);
  });

  test('accepts the other OTLP/JSON spellings: string int64s, enum names, snake_case, gzip', async (t) => {
    const receiver = await otlpReceiver(t);
    const body = {
      resource_spans: [{
        resource: { attributes: [{ key: 'service.name', value: { string_value: 'legacy' } }] },
        scope_spans: [{
          scope: { name: 'hand-written' },
          spans: [{
            trace_id: '0AF7651916CD43DD8448EB211C80319C',
            span_id: 'B7AD6B7169203331',
            name: 'consume',
            kind: 'SPAN_KIND_CONSUMER',
            start_time_unix_nano: '1700000000000000001',
            end_time_unix_nano: 1700000000000001000,
            attributes: [
              { key: 'big', value: { int_value: '9007199254740993' } },
              { key: 'nested', value: { kvlist_value: { values: [{ key: 'k', value: { bool_value: false } }] } } },
              { key: 'raw', value: { bytes_value: Buffer.from('hi').toString('base64') } },
              { key: 'nan', value: { double_value: 'NaN' } },
              { key: 'empty' },
            ],
            status: { code: 'STATUS_CODE_OK' },
          }],
        }],
      }],
    };
    const res = await post(receiver.tracesUrl, gzipSync(JSON.stringify(body)), {
      'content-type': 'application/json; charset=utf-8',
      'content-encoding': 'gzip',
    });
    assert.equal(res.status, 200);
    const [span] = receiver.spans();
    assert.equal(span!.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(span!.kind, 5);
    assert.equal(span!.startTimeUnixNano, 1700000000000000001n);
    assert.deepEqual(span!.status, { code: 1, message: '' });
    assert.deepEqual(span!.attributes, {
      big: 9007199254740993n,
      nested: { k: false },
      raw: Buffer.from('hi'),
      nan: Number.NaN,
      empty: null,
    });
    assert.deepEqual(span!.resource, { 'service.name': 'legacy' });
    assert.deepEqual(span!.scope, { name: 'hand-written', version: '' });
  });

  test('refuses bad ids, bad JSON, bad protobuf and unknown media types, and records why', async (t) => {
    const receiver = await otlpReceiver(t);
    const shortId = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'abc', spanId: 'b7ad6b7169203331' }] }] }] };
    assert.equal((await postJson(receiver.tracesUrl, shortId)).status, 400);
    assert.equal((await post(receiver.tracesUrl, '{"resourceSpans":', { 'content-type': 'application/json' })).status, 400);
    assert.equal((await post(receiver.tracesUrl, Uint8Array.of(0x0a, 0xff), { 'content-type': 'application/x-protobuf' })).status, 400);
    assert.equal((await post(receiver.tracesUrl, 'x', { 'content-type': 'text/plain' })).status, 415);
    assert.equal((await postJson(`${receiver.url}/v1/nothing`, {})).status, 404);

    const rejections = receiver.requests().map((r) => r.rejection);
    assert.match(rejections[0]!, /span\.traceId: expected 16 bytes \(32 hex digits\), got "abc"/);
    assert.match(rejections[1]!, /^invalid JSON/);
    assert.match(rejections[2]!, /^invalid protobuf/);
    assert.match(rejections[3]!, /text\/plain media type unsupported/);
    assert.deepEqual(receiver.spans(), []);
  });

  test('keeps metrics and logs apart from traces', async (t) => {
    const receiver = await otlpReceiver(t);
    assert.equal((await postJson(`${receiver.url}/v1/metrics`, { resourceMetrics: [] })).status, 200);
    assert.equal((await postJson(`${receiver.url}/v1/logs`, { resourceLogs: [] })).status, 200);
    assert.deepEqual(receiver.payloads('metrics'), [{ resourceMetrics: [] }]);
    assert.deepEqual(receiver.payloads('logs'), [{ resourceLogs: [] }]);
    assert.deepEqual(receiver.payloads('traces'), []);
    assert.deepEqual(receiver.spans(), []);
  });

  test('error answers carry a google.rpc.Status in the request encoding', async (t) => {
    const receiver = await otlpReceiver(t, { behaviour: 'error' });
    const proto = await post(receiver.tracesUrl, new Uint8Array(), { 'content-type': 'application/x-protobuf' });
    assert.equal(proto.status, 503);
    assert.deepEqual(decodeRpcStatus(proto.body), { code: 14, message: 'failing on purpose (test receiver)' });
    receiver.setBehaviour('refuse');
    const json = await postJson(receiver.tracesUrl, {});
    assert.equal(json.status, 400);
    assert.deepEqual(JSON.parse(json.body.toString()), { code: 3, message: 'refused by the test receiver' });
  });
});

// ───────────────────────────── Zipkin ─────────────────────────────

function zipkinSpanWithId(spans: ZipkinSpan[], sent: ReadableSpan): ZipkinSpan {
  const found = spans.find((span) => span.id === sent.spanContext().spanId);
  assert.ok(found, `no span ${sent.spanContext().spanId} among ${spans.map((s) => s.id).join(', ')}`);
  return found;
}

/** The exporter copies every resource attribute into the tags of every span. */
const RESOURCE_TAGS = { 'service.name': 'orders-api', 'deployment.environment.name': 'test' };

describe('Zipkin receiver decodes what the real ZipkinExporter sends', () => {
  test('a failed SERVER span with a CLIENT child', async (t) => {
    const receiver = await zipkinReceiver(t);
    const sent = await emitTrace(new ZipkinExporter({ url: receiver.spansUrl }));
    const spans = await receiver.waitForSpans(2);
    const parent = zipkinSpanWithId(spans, sent.parent);
    const child = zipkinSpanWithId(spans, sent.child);

    assert.deepEqual(parent, {
      traceId: sent.parent.spanContext().traceId,
      id: sent.parent.spanContext().spanId,
      // Zipkin lower-cases span and service names when it reads them.
      name: PARENT_NAME.toLowerCase(),
      kind: 'SERVER',
      timestamp: hrTimeToMicroseconds(sent.parent.startTime),
      duration: Math.round(hrTimeToMicroseconds(sent.parent.duration)),
      localEndpoint: { serviceName: 'orders-api' },
      // Events become bare annotations: their attributes (the exception's too) are dropped.
      annotations: [
        { timestamp: Math.round(hrTimeToMicroseconds(sent.parent.events[0]!.time)), value: 'cache.lookup' },
        { timestamp: Math.round(hrTimeToMicroseconds(sent.parent.events[1]!.time)), value: 'exception' },
      ],
      // Every attribute becomes a string tag; arrays are joined with commas.
      tags: {
        'http.route': '/orders/{id}',
        'retry.count': '3',
        'cache.hit': 'true',
        'sample.ratio': '0.25',
        'order.tags': 'priority,gift',
        'otel.status_code': 'ERROR',
        error: 'upstream failed',
        ...RESOURCE_TAGS,
      },
    });
    // Links have no place in Zipkin v2: the exporter drops them.
    assert.deepEqual(child, {
      traceId: parent.traceId,
      id: sent.child.spanContext().spanId,
      parentId: parent.id,
      name: 'get inventory',
      kind: 'CLIENT',
      timestamp: hrTimeToMicroseconds(sent.child.startTime),
      duration: Math.round(hrTimeToMicroseconds(sent.child.duration)),
      localEndpoint: { serviceName: 'orders-api' },
      annotations: [],
      tags: { 'http.response.status_code': '503', ...RESOURCE_TAGS },
    });

    for (const sentRequest of receiver.requests()) {
      assert.equal(sentRequest.path, '/api/v2/spans');
      assert.equal(sentRequest.contentType, 'application/json');
      assert.equal(sentRequest.encoding, 'identity');
      assert.equal(sentRequest.status, 202);
    }
    const rawNames = receiver.requests().map((r) => JSON.parse(r.body.toString())[0].name);
    assert.deepEqual(rawNames.sort(), [PARENT_NAME, 'GET inventory'].sort());
  });

  test('Zipkin refuses the fractional timestamp the exporter sends for a sub-microsecond start time', async (t) => {
    // The exporter rounds duration and annotation times but not the span's own timestamp, so a
    // span started at an HrTime (or a performance.now()-based time) is refused by Zipkin's
    // Gson nextLong(). Default start times are whole milliseconds and pass.
    const receiver = await zipkinReceiver(t);
    const memory = new InMemorySpanExporter();
    const provider = providerFor(new ZipkinExporter({ url: receiver.spansUrl }), memory);
    const span = provider.getTracer(SCOPE.name).startSpan('late', { startTime: [1_700_000_000, 123_456_789] });
    span.end([1_700_000_000, 223_456_789]);
    // TracerProvider.forceFlush() rejects when an export failed, with an array of errors.
    await assert.rejects(provider.forceFlush(), (errors: unknown) => {
      assert.ok(Array.isArray(errors));
      assert.match(String(errors[0]), /unexpected status code from zipkin: 400/);
      return true;
    });
    await provider.shutdown();

    const [rejected] = receiver.rejections();
    assert.equal(rejected?.status, 400);
    assert.match(rejected!.rejection!, /^Expected a long but was 1700000000123456\.\d+ at path \$\[0\]\.timestamp reading List<Span> from json$/);
    assert.deepEqual(receiver.spans(), []);
  });
});

describe('Zipkin receiver validates like Zipkin', () => {
  const valid = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', id: '00f067aa0ba902b7', name: 'Op', timestamp: 1, duration: 2 };

  test('normalizes as Zipkin stores: padded ids, lower-case names, no zero parent, no null fields', async (t) => {
    const receiver = await zipkinReceiver(t);
    const res = await postJson(receiver.spansUrl, [
      { traceId: 'a1', id: 'b2', parentId: '0000000000000000', name: 'MiXeD', kind: null, tags: { n: 7 } },
      { ...valid, traceId: `${'0'.repeat(16)}8448eb211c80319c`, timestamp: -5, annotations: [{ timestamp: 9, value: 'z' }, { timestamp: 3, value: 'a' }] },
    ]);
    assert.equal(res.status, 202);
    assert.equal(res.body.length, 0);
    assert.deepEqual(receiver.spans(), [
      { traceId: '00000000000000a1', id: '00000000000000b2', name: 'mixed', annotations: [], tags: { n: '7' } },
      {
        traceId: '8448eb211c80319c',
        id: valid.id,
        name: 'op',
        duration: 2,
        annotations: [{ timestamp: 3, value: 'a' }, { timestamp: 9, value: 'z' }],
        tags: {},
      },
    ]);
  });

  const invalid: [string, unknown, RegExp][] = [
    ['upper-case hex', [{ ...valid, traceId: valid.traceId.toUpperCase() }], /should be lower-hex encoded with no prefix at path \$\[0\]\.traceId/],
    ['a 0x prefix', [{ ...valid, id: '0x00f067aa0ba902' }], /should be lower-hex encoded/],
    ['a too long span id', [{ ...valid, id: `${valid.id}00` }], /id\.length > 16/],
    ['an all-zero span id', [{ ...valid, id: '0000000000000000' }], /id is all zeros/],
    ['a missing id', [{ traceId: valid.traceId }], /^Missing : id reading/],
    ['a fractional duration', [{ ...valid, duration: 1.5 }], /Expected a long but was 1\.5 at path \$\[0\]\.duration/],
    ['a timestamp as text', [{ ...valid, timestamp: 'soon' }], /Expected a long but was soon/],
    ['an unknown kind', [{ ...valid, kind: 'INTERNAL' }], /No enum constant zipkin2\.Span\.Kind\.INTERNAL/],
    ['a boolean tag', [{ ...valid, tags: { ok: true } }], /Expected a string but was BOOLEAN at path \$\[0\]\.tags\.ok/],
    ['a null tag', [{ ...valid, tags: { ok: null } }], /No value at path \$\[0\]\.tags\.ok/],
    ['an annotation without value', [{ ...valid, annotations: [{ timestamp: 1 }] }], /Incomplete annotation/],
    ['an object instead of a list', valid, /Expected BEGIN_ARRAY but was BEGIN_OBJECT at path \$/],
  ];
  for (const [what, body, reason] of invalid) {
    test(`refuses ${what} with 400 and records why`, async (t) => {
      const receiver = await zipkinReceiver(t);
      const res = await postJson(receiver.spansUrl, body);
      assert.equal(res.status, 400);
      assert.match(res.body.toString(), reason);
      assert.match(receiver.rejections()[0]?.rejection ?? '', reason);
      assert.deepEqual(receiver.spans(), []);
    });
  }

  test('refuses a body that is not JSON', async (t) => {
    const receiver = await zipkinReceiver(t);
    const res = await post(receiver.spansUrl, '[{', { 'content-type': 'application/json' });
    assert.equal(res.status, 400);
    assert.equal(res.body.toString(), 'Malformed reading List<Span> from json');
  });
});

// ───────────────────────────── Behaviours, seen by the exporters ─────────────────────────────

/** Short, so the timeout paths finish fast; the receivers answer loopback in well under 300 ms. */
const EXPORT_TIMEOUT_MS = 300;

describe('OTLP exporter against a misbehaving receiver', () => {
  test("'refuse': the export fails at once with the 400", async (t) => {
    const receiver = await otlpReceiver(t, { behaviour: 'refuse' });
    const exporter = new OtlpProtoExporter({ url: receiver.tracesUrl, timeoutMillis: EXPORT_TIMEOUT_MS });
    const { result, ms } = await exportOnce(exporter, await sampleSpans());
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.equal((result.error as { code?: number }).code, 400);
    assert.ok(ms < EXPORT_TIMEOUT_MS, `took ${ms} ms`);
    assert.deepEqual(receiver.requests().map((r) => r.status), [400]);
    assert.deepEqual(receiver.spans(), []);
  });

  test("'error' 503: retryable, but the backoff (≈1 s) exceeds the timeout, so one attempt and failure", async (t) => {
    const receiver = await otlpReceiver(t, { behaviour: 'error' });
    const exporter = new OtlpJsonExporter({ url: receiver.tracesUrl, timeoutMillis: EXPORT_TIMEOUT_MS });
    const { result, ms } = await exportOnce(exporter, await sampleSpans());
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.ok(ms < EXPORT_TIMEOUT_MS, `took ${ms} ms`);
    assert.deepEqual(receiver.requests().map((r) => r.status), [503]);
  });

  test("'error' 500: not retryable, the export fails with the status", async (t) => {
    const receiver = await otlpReceiver(t, { behaviour: 'error', errorStatus: 500 });
    const exporter = new OtlpJsonExporter({ url: receiver.tracesUrl, timeoutMillis: EXPORT_TIMEOUT_MS });
    const { result } = await exportOnce(exporter, await sampleSpans());
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.equal((result.error as { code?: number }).code, 500);
  });

  test("'slow': succeeds when the delay fits the timeout, fails when it does not", async (t) => {
    const receiver = await otlpReceiver(t, { behaviour: 'slow', slowMs: 50 });
    const spans = await sampleSpans();
    const patient = await exportOnce(new OtlpJsonExporter({ url: receiver.tracesUrl, timeoutMillis: EXPORT_TIMEOUT_MS }), spans);
    assert.equal(patient.result.code, ExportResultCode.SUCCESS);
    assert.ok(patient.ms >= 45, `took ${patient.ms} ms`);

    receiver.setBehaviour('slow', { slowMs: 2 * EXPORT_TIMEOUT_MS });
    const hurried = await exportOnce(new OtlpJsonExporter({ url: receiver.tracesUrl, timeoutMillis: EXPORT_TIMEOUT_MS }), spans);
    assert.equal(hurried.result.code, ExportResultCode.FAILED);
    assert.match(String(hurried.result.error?.message), /timed out/i);
    assert.ok(hurried.ms < 2 * EXPORT_TIMEOUT_MS, `took ${hurried.ms} ms`);
  });

  test("'blackhole': the export fails after timeoutMillis", async (t) => {
    const receiver = await otlpReceiver(t, { behaviour: 'blackhole' });
    const exporter = new OtlpProtoExporter({ url: receiver.tracesUrl, timeoutMillis: EXPORT_TIMEOUT_MS });
    const { result, ms } = await exportOnce(exporter, await sampleSpans());
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.equal(result.error?.message, 'Request timed out');
    assert.ok(ms >= EXPORT_TIMEOUT_MS - 10 && ms < 3 * EXPORT_TIMEOUT_MS, `took ${ms} ms`);
    assert.equal(receiver.requests().length, 1);
    assert.equal(receiver.requests()[0]!.status, undefined);
  });

  test('close() returns promptly with a blackholed connection still open, and cuts it', async (t) => {
    const receiver = await otlpReceiver(t, { behaviour: 'blackhole' });
    const hung = post(receiver.tracesUrl, '{}', { 'content-type': 'application/json' });
    const outcome = hung.then(() => 'answered', (error: Error) => error.message);
    await receiver.waitForRequests(1);
    const started = performance.now();
    await receiver.close();
    assert.ok(performance.now() - started < 200, 'close() waited for the hung connection');
    assert.equal(await outcome, 'socket hang up');
  });
});

describe('Zipkin exporter against a misbehaving receiver', () => {
  for (const [behaviour, status] of [['refuse', 400], ['error', 503]] as const) {
    test(`'${behaviour}': the export fails with the ${status}`, async (t) => {
      const receiver = await zipkinReceiver(t, { behaviour });
      const { result } = await exportOnce(new ZipkinExporter({ url: receiver.spansUrl }), await sampleSpans());
      assert.equal(result.code, ExportResultCode.FAILED);
      assert.match(String(result.error?.message), new RegExp(`unexpected status code from zipkin: ${status}`));
      assert.deepEqual(receiver.spans(), []);
    });
  }

  test("'blackhole': the exporter has no timeout and waits until the connection is cut", async (t) => {
    const receiver = await zipkinReceiver(t, { behaviour: 'blackhole' });
    const pending = exportOnce(new ZipkinExporter({ url: receiver.spansUrl }), await sampleSpans());
    const settled = await Promise.race([pending.then(() => true), sleep(3 * EXPORT_TIMEOUT_MS).then(() => false)]);
    assert.equal(settled, false, 'the Zipkin export gave up by itself');

    const started = performance.now();
    await receiver.close();
    assert.ok(performance.now() - started < 200, 'close() waited for the hung connection');
    const { result } = await pending;
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.match(String(result.error?.message), /socket hang up|ECONNRESET/);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
