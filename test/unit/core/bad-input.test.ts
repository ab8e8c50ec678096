/**
 * Inputs the wrapper must survive with the handler's result unchanged: odd events, incomplete
 * contexts, handlers of every calling style. Warnings come once, as parsed log lines.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import middy from '@middy/core';
import type { Callback, Context } from 'aws-lambda';
import { observe } from '../../../src/index.ts';
import { observeMiddleware } from '../../../src/middy.ts';
import { captureOutput, type Capture } from '../../support/capture.ts';
import { lambdaContext, sleep } from '../../support/lambda-context.ts';

let capture: Capture;
before(() => {
  capture = captureOutput();
});
after(() => capture.stop());

const echo = observe(async (event: unknown) => ({ got: typeof event }));

function circular() {
  const a: Record<string, unknown> = { name: 'a' };
  a.self = a;
  a.Records = [a];
  return a;
}

function hostile() {
  return Object.defineProperty({ httpMethod: 'GET' }, 'requestContext', {
    enumerable: true,
    get() {
      throw new Error('getter exploded');
    },
  });
}

describe('odd events', () => {
  const events: Array<[string, unknown]> = [
    ['null', null],
    ['undefined', undefined],
    ['a string', 'hello'],
    ['a number', 42],
    ['an array', [1, 2, 3]],
    ['a circular object', circular()],
    ['an object with a throwing getter', hostile()],
    ['a huge object', { Records: Array.from({ length: 20_000 }, (_, i) => ({ eventSource: 'aws:sqs', body: 'x'.repeat(100), i })) }],
  ];
  for (const [name, event] of events) {
    it(`${name}: handled, one wide event`, async () => {
      capture.clear();
      const result = await echo(event, lambdaContext());
      assert.deepEqual(result, { got: typeof event });
      assert.equal(capture.events().length, 1);
      assert.equal(capture.events()[0]?.outcome, 'success');
    });
  }
});

describe('incomplete contexts', () => {
  it('no context at all, and a context with no fields: ids are made up, a warning is written once', async () => {
    capture.clear();
    assert.deepEqual(await echo({}, undefined as unknown as Context), { got: 'object' });
    assert.deepEqual(await echo({}, {} as Context), { got: 'object' });
    const events = capture.events();
    assert.equal(events.length, 2);
    for (const e of events) assert.match(e.faas.invocation_id, /^[0-9a-f-]{36}$/);
    const warnings = capture.logs().filter((l) => l.level === 'warn');
    assert.equal(warnings.filter((w) => /awsRequestId/.test(w.message)).length, 1);
    assert.equal(warnings.filter((w) => /getRemainingTimeInMillis/.test(w.message)).length, 1);
  });

  it('getRemainingTimeInMillis that throws or returns garbage', async () => {
    capture.clear();
    const throwing = { ...lambdaContext(), getRemainingTimeInMillis: () => { throw new Error('nope'); } };
    const garbage = { ...lambdaContext(), getRemainingTimeInMillis: () => Number.NaN };
    assert.deepEqual(await echo({}, throwing), { got: 'object' });
    assert.deepEqual(await echo({}, garbage as Context), { got: 'object' });
    assert.equal(capture.events().length, 2);
  });
});

describe('handler styles', () => {
  it('returns undefined', async () => {
    assert.equal(await observe(async () => undefined)({}, lambdaContext()), undefined);
  });

  it('returns a plain value without a promise', async () => {
    const sync = observe(((event: { n: number }) => event.n * 2) as never);
    assert.equal(await sync({ n: 21 }, lambdaContext()), 42);
  });

  it('callback style, success and error', async () => {
    const ok = observe((_event: unknown, _context: Context, callback: Callback<unknown>) => {
      setTimeout(() => callback(null, 'from callback'), 2);
    });
    assert.equal(await ok({}, lambdaContext()), 'from callback');
    const failure = new Error('callback failure');
    const bad = observe((_event: unknown, _context: Context, callback: Callback<unknown>) => {
      callback(failure);
    });
    await assert.rejects(bad({}, lambdaContext()), (e) => e === failure);
  });

  it('calls the callback and returns a promise: the first answer wins, one event', async () => {
    capture.clear();
    const both = observe(async (_event: unknown, _context: Context, callback: Callback<unknown>) => {
      callback(null, 'callback first');
      await sleep(5);
      return 'promise later';
    });
    assert.equal(await both({}, lambdaContext()), 'callback first');
    await sleep(10);
    assert.equal(capture.events().length, 1);
  });

  it('throws synchronously: the same error, recorded', async () => {
    capture.clear();
    const failure = new RangeError('sync throw');
    const thrower = observe((() => {
      throw failure;
    }) as never);
    await assert.rejects(thrower({}, lambdaContext()), (e) => e === failure);
    assert.equal(capture.events()[0]?.exception.type, 'RangeError');
  });

  it('throws a non-Error value: rethrown as is, recorded with its type', async () => {
    capture.clear();
    const thrower = observe(async () => {
      throw 'a string';
    });
    await assert.rejects(thrower({}, lambdaContext()), (e) => e === 'a string');
    const wide = capture.events()[0];
    assert.equal(wide?.outcome, 'error');
    assert.equal(wide?.exception.type, 'string');
    assert.equal(wide?.exception.message, 'a string');
  });

  it('observe() of an observed handler, and observe() around middy with the middleware: one invocation', async () => {
    capture.clear();
    const inner = observe(async () => 'once');
    assert.equal(observe(inner), inner);
    const nested = observe(middy().use(observeMiddleware()).handler(async () => 'nested') as never);
    assert.equal(await nested({}, lambdaContext()), 'nested');
    assert.equal(capture.events().length, 1);
  });

  it('observe() rejects a non-function at wrap time', () => {
    assert.throws(() => observe(undefined as never), /needs a handler function/);
    assert.throws(() => observe('handler' as never), /needs a handler function/);
  });
});
