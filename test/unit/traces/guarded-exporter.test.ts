/**
 * The delivery guard: deadline, drop counting, one warning key, and the circuit breaker's
 * open → skip → retry → close cycle, driven by a controllable clock and a backend double that
 * stands for the real exporter (the guard's own decisions are what is checked).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { createGuardedExporter, type DropReason } from '../../../src/traces/guarded-exporter.ts';

type Answer = 'ok' | 'fail' | 'hang';

function backend(answers: Answer[]) {
  const calls: number[] = [];
  const exporter: SpanExporter = {
    export(spans, done) {
      calls.push(spans.length);
      const answer = answers.shift() ?? 'ok';
      if (answer === 'ok') setImmediate(() => done({ code: ExportResultCode.SUCCESS }));
      if (answer === 'fail') setImmediate(() => done({ code: ExportResultCode.FAILED, error: new Error('503') }));
    },
    shutdown: () => Promise.resolve(),
  };
  return { exporter, calls };
}

function harness(answers: Answer[], options: { timeoutMs?: number } = {}) {
  let clock = 1_000_000;
  const { exporter, calls } = backend(answers);
  const dropped: Array<[number, DropReason]> = [];
  const warnings: string[] = [];
  const guard = createGuardedExporter({
    name: 'otlp',
    endpoint: 'http://collector:4318/v1/traces',
    load: () => Promise.resolve(exporter),
    timeoutMs: options.timeoutMs ?? 1000,
    warn: (key) => warnings.push(key),
    onDropped: (count, reason) => dropped.push([count, reason]),
    cooldownMs: 30_000,
    maxCooldownMs: 120_000,
    now: () => clock,
  });
  const spans = (n: number) => Array.from({ length: n }, () => ({}) as ReadableSpan);
  const send = (n = 2) => new Promise<ExportResult>((resolve) => guard.export(spans(n), resolve));
  return { guard, calls, dropped, warnings, send, now: () => clock, advance: (ms: number) => (clock += ms) };
}

describe('guarded exporter', () => {
  test('success passes through and drops nothing', async () => {
    const h = harness(['ok']);
    assert.equal((await h.send(3)).code, ExportResultCode.SUCCESS);
    assert.deepEqual(h.calls, [3]);
    assert.deepEqual(h.dropped, []);
    assert.deepEqual(h.warnings, []);
  });

  test('two failures in a row open the breaker: exports are skipped and counted, then retried after the cool-down', async () => {
    const h = harness(['fail', 'fail', 'ok']);
    assert.equal((await h.send()).code, ExportResultCode.FAILED);
    assert.equal(h.guard.backingOff(), false, 'one failure is not enough');
    await h.send();
    assert.equal(h.guard.backingOff(), true);
    assert.equal((await h.send()).code, ExportResultCode.FAILED);
    assert.deepEqual(h.calls, [2, 2], 'the skipped export never reached the backend');
    assert.deepEqual(h.dropped, [
      [2, 'export_failed'],
      [2, 'export_failed'],
      [2, 'backoff'],
    ]);
    h.advance(30_001);
    assert.equal((await h.send()).code, ExportResultCode.SUCCESS, 'retried after the cool-down');
    assert.equal(h.guard.backingOff(), false);
    assert.deepEqual(new Set(h.warnings), new Set(['traces:export:otlp']), 'one warning key for every failure');
  });

  test('a failed retry reopens at once with a doubled cool-down; success resets it', async () => {
    const h = harness(['fail', 'fail', 'fail', 'ok', 'fail', 'fail']);
    await h.send();
    await h.send();
    h.advance(30_001);
    await h.send(); // the retry fails
    assert.equal(h.guard.backingOff(), true);
    h.advance(30_001);
    assert.equal(h.guard.backingOff(), true, 'the second cool-down is 60 s');
    h.advance(30_000);
    assert.equal(h.guard.backingOff(), false);
    assert.equal((await h.send()).code, ExportResultCode.SUCCESS);
    await h.send();
    await h.send();
    h.advance(30_001);
    assert.equal(h.guard.backingOff(), false, 'after a success the cool-down starts over at 30 s');
  });

  test('an export with no answer gives up at its timeout, or at the flush deadline if sooner', async (t) => {
    // The guard's timers are unref'd (they must never hold a Lambda process open); something has to.
    const keepAlive = setInterval(() => undefined, 1000);
    t.after(() => clearInterval(keepAlive));
    const h = harness(['hang', 'hang'], { timeoutMs: 200 });
    let started = performance.now();
    assert.equal((await h.send()).code, ExportResultCode.FAILED);
    const first = performance.now() - started;
    assert.ok(first >= 190 && first < 400, `gave up after ${first} ms`);

    h.guard.setDeadline(h.now() + 50);
    started = performance.now();
    const pending = h.send();
    h.guard.setDeadline(undefined);
    await pending;
    const second = performance.now() - started;
    assert.ok(second < 150, `the flush deadline applied: ${second} ms`);
    assert.deepEqual(h.dropped, [
      [2, 'timeout'],
      [2, 'timeout'],
    ]);
    assert.deepEqual(h.warnings, ['traces:export:otlp'], 'only the real 200 ms wait is blamed on the backend');
  });

  test('give-ups squeezed by the function deadline (short waits) never open the breaker', async (t) => {
    const keepAlive = setInterval(() => undefined, 1000);
    t.after(() => clearInterval(keepAlive));
    const h = harness(['hang', 'hang', 'hang', 'ok']);
    for (let i = 0; i < 3; i++) {
      h.guard.setDeadline(h.now() + 10);
      const pending = h.send();
      h.guard.setDeadline(undefined);
      assert.equal((await pending).code, ExportResultCode.FAILED);
    }
    assert.equal(h.guard.backingOff(), false);
    assert.deepEqual(h.warnings, []);
    assert.equal((await h.send()).code, ExportResultCode.SUCCESS, 'the next export is attempted');
  });

  test('an exporter that cannot be loaded counts as a failed export', async () => {
    const dropped: DropReason[] = [];
    const guard = createGuardedExporter({
      name: 'zipkin',
      endpoint: 'http://zipkin:9411/api/v2/spans',
      load: () => Promise.reject(new Error('Cannot find package')),
      timeoutMs: 1000,
      warn: () => undefined,
      onDropped: (_count, reason) => dropped.push(reason),
    });
    const result = await new Promise<ExportResult>((resolve) => guard.export([{} as ReadableSpan], resolve));
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.deepEqual(dropped, ['export_failed']);
  });
});
