/**
 * Success, error and timeout through each adapter: the span, the error log line, the wide event,
 * and the handler's own result or the very same error object.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { annotate, getLogger, currentInvocation } from '../../../src/index.ts';
import { fixtures } from '../../fixtures/events/index.ts';
import { captureOutput, type Capture, type Line } from '../../support/capture.ts';
import { lambdaContext, sleep } from '../../support/lambda-context.ts';
import { adapters } from './adapters.support.ts';

let capture: Capture;
before(() => {
  capture = captureOutput();
});
after(() => capture.stop());

const log = getLogger('lifecycle');
const ERROR = 2;

for (const adapter of adapters) {
  describe(adapter.name, () => {
    it('success: result untouched, one wide event with annotations, span ended ok', async () => {
      capture.clear();
      const payload = { deep: { list: [1, 2, 3] } };
      const handler = adapter.wrap(
        async () => {
          annotate({ 'order.id': 'o-1', items: 3 });
          log.info('working');
          return payload;
        },
        { tracesExporter: ['console'], fields: { team: 'checkout' } },
      );
      const context = lambdaContext();
      const result = await handler(fixtures.direct(), context);
      assert.equal(result, payload, 'the very same result object');
      const [wide] = capture.events();
      assert.equal(capture.events().length, 1);
      assert.equal(wide?.outcome, 'success');
      assert.equal(wide?.level, 'info');
      assert.equal(wide?.['order.id'], 'o-1');
      assert.equal(wide?.items, 3);
      assert.equal(wide?.team, 'checkout');
      assert.equal(wide?.log_counts.info, 1);
      assert.equal(typeof wide?.duration_ms, 'number');
      assert.equal(wide?.faas.invocation_id, context.awsRequestId);
      assert.equal(wide?.service.name, 'unknown_function');
      const span = capture.spans().find((s) => s.span_id === wide?.span_id) as Line;
      assert.equal(span.status.code, 0);
      const working = capture.logs().find((l) => l.message === 'working') as Line;
      assert.equal(working.trace_id, wide?.trace_id);
      assert.equal(working.logger, 'lifecycle');
      assert.match(working.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it('error: the same error object is rethrown; span, error log and event record it', async () => {
      capture.clear();
      class PaymentDeclined extends Error {
        override name = 'PaymentDeclined';
      }
      const thrown = new PaymentDeclined('card declined');
      const handler = adapter.wrap(async () => {
        await sleep(1);
        throw thrown;
      });
      const context = lambdaContext();
      await assert.rejects(handler(fixtures.api(), context), (error) => error === thrown);
      const [wide] = capture.events();
      assert.equal(wide?.outcome, 'error');
      assert.equal(wide?.level, 'error');
      assert.equal(wide?.exception.type, 'PaymentDeclined');
      assert.equal(wide?.exception.message, 'card declined');
      assert.match(wide?.exception.stacktrace, /PaymentDeclined: card declined/);
      const errorLine = capture.logs().find((l) => l.level === 'error') as Line;
      assert.equal(errorLine.message, 'invocation failed');
      assert.equal(errorLine.exception.type, 'PaymentDeclined');
      assert.equal(errorLine.trace_id, wide?.trace_id);
      assert.equal(errorLine.faas.invocation_id, context.awsRequestId);
      const span = capture.spans().find((s) => s.span_id === wide?.span_id) as Line;
      assert.equal(span.status.code, ERROR);
      assert.equal(span.status.message, 'card declined');
      assert.equal(span.attributes['error.type'], 'PaymentDeclined');
      const exceptionEvent = span.events.find((e: Line) => e.name === 'exception');
      assert.equal(exceptionEvent.attributes['exception.type'], 'PaymentDeclined');
    });

    it('timeout: closed before the deadline, open child spans ended with a timeout status, one event only', async () => {
      capture.clear();
      let finishedLate = false;
      const handler = adapter.wrap(async () => {
        const tracer = trace.getTracer('test');
        await tracer.startActiveSpan('slow-dependency', async (span) => {
          await sleep(900);
          span.end();
        });
        finishedLate = true;
        return 'late';
      }, { timeoutMarginMs: 400 });
      const context = lambdaContext({ timeoutMs: 600 });
      const started = Date.now();
      const pending = handler(fixtures.direct(), context);
      await sleep(450);
      const [wide] = capture.events();
      assert.ok(wide, `the timeout event is written before the deadline (${Date.now() - started} ms)`);
      assert.equal(wide.outcome, 'timeout');
      assert.equal(wide.level, 'error');
      const spans = capture.spans();
      const child = spans.find((s) => s.name === 'slow-dependency') as Line;
      const root = spans.find((s) => s.span_id === wide.span_id) as Line;
      assert.ok(child && root, 'both spans exported at the timeout');
      assert.equal(child.status.code, ERROR);
      assert.equal(child.status.message, 'invocation timed out');
      assert.equal(child.parent_span_id, root.span_id);
      assert.equal(root.status.code, ERROR);
      const timeoutLine = capture.logs().find((l) => l.message === 'invocation timed out') as Line;
      assert.equal(timeoutLine.level, 'error');
      assert.equal(timeoutLine.trace_id, wide.trace_id);
      const settled = await pending.then(
        (value) => value,
        (error: Error) => error,
      );
      if (adapter.name === 'observe()') {
        assert.equal(settled, 'late', 'a handler that finishes after the timeout still returns its result');
        assert.ok(finishedLate);
      } else {
        // middy aborts the handler itself 5 ms before the deadline (its timeoutEarlyInMillis default).
        assert.equal((settled as Error).name, 'TimeoutError');
      }
      assert.equal(capture.events().length, 1, 'no second wide event when the handler finally returns');
    });

    it('currentInvocation() inside the handler, undefined outside', async () => {
      let seen: ReturnType<typeof currentInvocation>;
      const handler = adapter.wrap(async () => {
        await sleep(1);
        seen = currentInvocation();
        return 'ok';
      });
      const context = lambdaContext();
      await handler(fixtures.http(), context);
      assert.equal(seen!.invocationId, context.awsRequestId);
      assert.equal(seen!.requestId, 'req-http-456');
      assert.equal(seen!.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
      assert.equal(seen!.trigger, 'http');
    });
  });
}

describe('options are validated when wrapping', () => {
  for (const adapter of adapters) {
    it(`${adapter.name} throws at wrap time on a bad option`, () => {
      assert.throws(() => adapter.wrap(async () => 1, { logLevel: 'verbose' as never }), /logLevel/);
      assert.throws(() => adapter.wrap(async () => 1, { timeoutMarginMs: -1 }), /timeoutMarginMs/);
      assert.throws(() => adapter.wrap(async () => 1, { nope: true } as never), /unknown option "nope"/);
      assert.throws(() => adapter.wrap(async () => 1, { tracesExporter: ['jaeger'] as never }), /tracesExporter/);
    });
  }
});
