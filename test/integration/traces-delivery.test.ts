/**
 * A trace backend that refuses, fails, is slow or never answers must not change what the handler
 * returns, must cost at most the flush budget, is warned about once, and the spans it loses are
 * counted (`lambda_observe.spans_dropped`); after repeated failures export pauses instead of
 * paying the timeout on every invocation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startOtlpReceiver, type Behaviour, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { startZipkinReceiver, type ZipkinReceiver } from '../support/zipkin-receiver.ts';
import { runScenario, type ScenarioRun } from './traces-harness.ts';

const FLUSH_BUDGET_MS = 800;
/** The first invocation also pays one-time work (lazy imports finishing, first connection). */
const FIRST_INVOCATION_SLACK_MS = 400;
const SLACK_MS = 150;
const SPANS_PER_INVOCATION = 3;
const INVOCATIONS = 4;

let otlp: OtlpReceiver;
let zipkin: ZipkinReceiver;
before(async () => {
  otlp = await startOtlpReceiver();
  zipkin = await startZipkinReceiver();
});
after(async () => {
  await otlp.close();
  await zipkin.close();
});

interface FailuresResult {
  durations: number[];
  results: Array<{ statusCode: number; body: string }>;
  dropped: Record<string, number>;
}

function deliveryWarnings(run: ScenarioRun): Array<Record<string, unknown>> {
  return run.warnings.filter((w) => /could not be delivered/.test(String(w.message)));
}

function assertHandlerUntouched(result: FailuresResult): void {
  assert.equal(result.results.length, INVOCATIONS);
  for (const r of result.results) {
    assert.equal(r.statusCode, 200);
    assert.equal(r.body, '{"id":"42"}');
  }
}

function assertWithinBudget(result: FailuresResult): void {
  result.durations.forEach((ms, i) => {
    const limit = FLUSH_BUDGET_MS + (i === 0 ? FIRST_INVOCATION_SLACK_MS : SLACK_MS);
    assert.ok(ms < limit, `invocation ${i + 1} took ${Math.round(ms)} ms (limit ${limit} ms): ${result.durations.map(Math.round).join(', ')}`);
  });
}

/** After two failures in a row export pauses: the later invocations pay nothing for the backend. */
function assertBackedOff(result: FailuresResult, run: ScenarioRun): void {
  for (const ms of result.durations.slice(2)) {
    assert.ok(ms < 150, `backed-off invocations should be fast: ${result.durations.map(Math.round).join(', ')}`);
  }
  const failed = (result.dropped.export_failed ?? 0) + (result.dropped.timeout ?? 0);
  assert.equal(failed, 2 * SPANS_PER_INVOCATION, `dropped: ${JSON.stringify(result.dropped)}`);
  assert.equal(result.dropped.backoff, (INVOCATIONS - 2) * SPANS_PER_INVOCATION, `dropped: ${JSON.stringify(result.dropped)}`);
  const warnings = deliveryWarnings(run);
  assert.equal(warnings.length, 1, 'warned once per environment');
  assert.doesNotMatch(JSON.stringify(warnings[0]), /s3cret/, 'headers are never logged');
  // Our own deadline fires before the lifecycle's: no second, generic "flush abandoned" warning.
  assert.equal(run.warnings.filter((w) => /did not finish within its budget/.test(String(w.message))).length, 0);
}

async function runOtlp(behaviour: Behaviour, tuning: { errorStatus?: number; slowMs?: number } = {}, url?: string) {
  otlp.reset();
  otlp.setBehaviour(behaviour, tuning);
  const run = await runScenario('failures', {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url ?? otlp.tracesUrl,
    OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20s3cret',
    LAMBDA_OBSERVE_FLUSH_TIMEOUT_MS: String(FLUSH_BUDGET_MS),
    INVOCATIONS: String(INVOCATIONS),
    USER_METER: '1',
  });
  return { run, result: run.result as unknown as FailuresResult };
}

describe('delivery when the backend is down', () => {
  for (const [name, behaviour, tuning] of [
    ['refuses with 400', 'refuse', {}],
    ['answers 503 (retryable)', 'error', { errorStatus: 503 }],
    ['answers 500', 'error', { errorStatus: 500 }],
    ['is slower than the budget', 'slow', { slowMs: 3000 }],
    ['is a blackhole', 'blackhole', {}],
  ] as const) {
    test(`OTLP backend that ${name}: result untouched, within budget, warned once, dropped spans counted, then backs off`, async () => {
      const { run, result } = await runOtlp(behaviour, tuning);
      assertHandlerUntouched(result);
      assertWithinBudget(result);
      assertBackedOff(result, run);
    });
  }

  test('OTLP endpoint that refuses connections (nothing listening)', async () => {
    const gone = await startOtlpReceiver();
    const url = gone.tracesUrl;
    await gone.close();
    const { run, result } = await runOtlp('ok', {}, url);
    assertHandlerUntouched(result);
    assertWithinBudget(result);
    assertBackedOff(result, run);
  });

  test('a slow backend within the budget: delivered, no warning, nothing dropped', async () => {
    const { run, result } = await runOtlp('slow', { slowMs: 150 });
    assertHandlerUntouched(result);
    assertWithinBudget(result);
    for (const ms of result.durations) assert.ok(ms >= 150, 'the flush waited for the answer');
    assert.deepEqual(result.dropped, {});
    assert.deepEqual(deliveryWarnings(run), []);
    assert.equal(otlp.spans().length, INVOCATIONS * SPANS_PER_INVOCATION);
  });

  test('Zipkin blackhole (the Zipkin exporter has no timeout of its own): bounded by the budget, then backs off', async () => {
    zipkin.reset();
    zipkin.setBehaviour('blackhole');
    const run = await runScenario('failures', {
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: zipkin.spansUrl,
      LAMBDA_OBSERVE_FLUSH_TIMEOUT_MS: String(FLUSH_BUDGET_MS),
      INVOCATIONS: String(INVOCATIONS),
      USER_METER: '1',
    });
    const result = run.result as unknown as FailuresResult;
    assertHandlerUntouched(result);
    assertWithinBudget(result);
    assertBackedOff(result, run);
  });
});
