/**
 * 64 interleaved concurrent invocations through each adapter. Every invocation writes logs from
 * several async hops (and, under middy, from another middleware's hooks), opens a child span and
 * annotates its event; no field of one invocation may show up in another's output.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import middy, { type MiddlewareObj } from '@middy/core';
import { trace } from '@opentelemetry/api';
import { annotate, currentInvocation, getLogger } from '../../../src/index.ts';
import { observeMiddleware } from '../../../src/middy.ts';
import { observe } from '../../../src/observe.ts';
import { fixtures } from '../../fixtures/events/index.ts';
import { captureOutput, type Capture, type Line } from '../../support/capture.ts';
import { lambdaContext, sleep } from '../../support/lambda-context.ts';

const N = 64;
const log = getLogger('concurrency');
let capture: Capture;
before(() => {
  capture = captureOutput();
});
after(() => capture.stop());

const jitter = () => sleep(Math.floor(Math.random() * 8));

async function body(event: { headers: Record<string, string> }) {
  const index = Number(event.headers['x-test-index']);
  log.info('start', { index });
  await jitter();
  annotate({ index });
  await trace.getTracer('concurrency').startActiveSpan('child', async (span) => {
    span.setAttribute('index', index);
    await jitter();
    log.info('inside child', { index });
    span.end();
  });
  await jitter();
  log.info('end', { index, seen_request_id: currentInvocation()?.requestId });
  return { statusCode: 200, body: String(index) };
}

/** Another middleware's hooks must see the same invocation as the handler. */
const probe = {
  before: async (request: { event: { headers: Record<string, string> } }) => {
    await jitter();
    log.info('probe before', { index: Number(request.event.headers['x-test-index']) });
  },
  after: async (request: { event: { headers: Record<string, string> } }) => {
    await jitter();
    log.info('probe after', { index: Number(request.event.headers['x-test-index']) });
  },
};

const wrapped = {
  'observe()': observe(body as never, { tracesExporter: ['console'] }),
  'middy middleware': middy().use(observeMiddleware()).use(probe as unknown as MiddlewareObj).handler(body as never),
} as Record<string, (event: unknown, context: unknown) => Promise<unknown>>;

function traceIdFor(index: number): string {
  return `${index.toString(16).padStart(8, '0')}${'ab'.repeat(12)}`;
}

function eventFor(index: number) {
  const event = fixtures.http();
  event.headers = {
    ...event.headers,
    traceparent: `00-${traceIdFor(index)}-${'cd'.repeat(8)}-01`,
    'x-request-id': `req-${index}`,
    'x-test-index': String(index),
  };
  return event;
}

describe('64 concurrent invocations stay isolated', () => {
  for (const [name, handler] of Object.entries(wrapped)) {
    it(name, async () => {
      capture.clear();
      const contexts = Array.from({ length: N }, (_, i) => lambdaContext({ requestId: `aws-${name}-${i}` }));
      const results = await Promise.all(contexts.map((context, i) => handler(eventFor(i), context)));
      results.forEach((result, i) => assert.equal((result as { body: string }).body, String(i)));

      const events = capture.events();
      assert.equal(events.length, N, 'one wide event per invocation');
      const spansById = new Map(capture.spans().map((s) => [s.span_id, s]));
      const expectedLogs = name === 'observe()' ? 3 : 5;
      for (let i = 0; i < N; i++) {
        const mine = events.filter((e) => e.index === i);
        assert.equal(mine.length, 1, `invocation ${i} has exactly one event`);
        const wide = mine[0] as Line;
        assert.equal(wide.faas.invocation_id, `aws-${name}-${i}`);
        assert.equal(wide.request_id, `req-${i}`);
        assert.equal(wide.trace_id, traceIdFor(i));
        const lines = capture.logs().filter((l) => l.index === i);
        assert.equal(lines.length, expectedLogs, `invocation ${i} wrote ${expectedLogs} lines`);
        for (const line of lines) {
          assert.equal(line.faas.invocation_id, `aws-${name}-${i}`, `${line.message} of ${i}`);
          assert.equal(line.trace_id, traceIdFor(i));
          assert.equal(line.request_id, `req-${i}`);
        }
        assert.equal(lines.find((l) => l.message === 'end')?.seen_request_id, `req-${i}`);
        if (name === 'observe()') {
          const root = spansById.get(wide.span_id) as Line;
          assert.equal(root.trace_id, traceIdFor(i));
          const child = [...spansById.values()].find((s) => s.name === 'child' && s.attributes.index === i) as Line;
          assert.equal(child.trace_id, traceIdFor(i));
          assert.equal(child.parent_span_id, wide.span_id);
        }
      }
    });
  }
});
