/**
 * `withSpan`: what the SDK receives for sync and async functions that return or throw. The spans
 * are read from the SDK's own in-memory exporter behind a globally registered provider.
 */
import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
// Registered before lambda-observe is imported, which registers its own provider otherwise
// (src/traces/global-tracer-provider.ts): a provider registered first stays the global one.
trace.setGlobalTracerProvider(provider);
const { invocationContextManager } = await import('../../../src/context.ts');
const { withSpan } = await import('../../../src/index.ts');
context.setGlobalContextManager(invocationContextManager);
after(() => provider.shutdown());
beforeEach(() => exporter.reset());

const finished = () => exporter.getFinishedSpans();

describe('withSpan', () => {
  test('sync: returns the value and ends the span', () => {
    const value = withSpan('sync ok', (span) => {
      span.setAttribute('k', 'v');
      return 42;
    });
    assert.equal(value, 42);
    const [span] = finished();
    assert.equal(span?.name, 'sync ok');
    assert.equal(span?.attributes.k, 'v');
    assert.equal(span?.status.code, SpanStatusCode.UNSET);
  });

  test('async: resolves with the value; the span covers the awaited work and is active inside', async () => {
    const value = await withSpan('async ok', async () => {
      const inner = withSpan('inner', () => trace.getActiveSpan()?.spanContext().spanId);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return inner;
    });
    const spans = finished();
    const outer = spans.find((s) => s.name === 'async ok');
    const inner = spans.find((s) => s.name === 'inner');
    assert.ok(outer && inner);
    assert.equal(value, inner.spanContext().spanId);
    assert.equal(inner.parentSpanContext?.spanId, outer.spanContext().spanId, 'nested withSpan is a child');
    assert.ok(outer.duration[0] * 1e3 + outer.duration[1] / 1e6 >= 18, 'ended after the await');
  });

  test('sync throw: the same error is rethrown; exception event, error.type, ERROR status', () => {
    const error = new RangeError('too far');
    assert.throws(
      () =>
        withSpan('sync fail', () => {
          throw error;
        }),
      (thrown) => thrown === error,
    );
    const [span] = finished();
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.equal(span?.status.message, 'too far');
    assert.equal(span?.attributes['error.type'], 'RangeError');
    const event = span?.events.find((e) => e.name === 'exception');
    assert.equal(event?.attributes?.['exception.type'], 'RangeError');
    assert.equal(event?.attributes?.['exception.message'], 'too far');
  });

  test('async reject: the same rejection; ERROR status; non-Error values too', async () => {
    const error = new Error('db down');
    await assert.rejects(withSpan('async fail', async () => Promise.reject(error)), (thrown) => thrown === error);
    await assert.rejects(withSpan('string fail', async () => Promise.reject('nope')), (thrown) => thrown === 'nope');
    const failed = finished();
    assert.deepEqual(
      failed.map((s) => [s.name, s.status.code, s.status.message]),
      [
        ['async fail', SpanStatusCode.ERROR, 'db down'],
        ['string fail', SpanStatusCode.ERROR, 'nope'],
      ],
    );
    assert.equal(failed[1]?.attributes['error.type'], 'string');
  });

  test('options reach the span (kind, attributes)', () => {
    withSpan('with options', () => undefined, { kind: 3, attributes: { 'peer.service': 'inventory' } });
    const [span] = finished();
    assert.equal(span?.kind, 3);
    assert.equal(span?.attributes['peer.service'], 'inventory');
  });
});
