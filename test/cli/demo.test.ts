/**
 * `lambda-observe demo` — what `npm start` runs — from a real build: the example handlers with a
 * success, a child span, an error, cold then warm, in a screen or two, exiting 0.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildCli, invocationIdOf, jsonLines, type BuiltCli } from './cli-harness.ts';

let cli: BuiltCli;
before(() => {
  cli = buildCli();
});
after(() => cli?.cleanup());

describe('demo', () => {
  it('runs every example handler with the mix of outcomes and exits 0', async () => {
    const run = await cli.run(['demo']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const out = run.stdout;
    for (const name of ['orders-api', 'checkout', 'orders-queue', 'nightly-report']) assert.match(out, new RegExp(`^λ ${name}\\b`, 'm'));
    assert.equal(out.match(/cold start \(init [\d.]+ m?s\)/g)?.length, 4, 'each handler starts cold in its own environment');
    assert.equal(out.match(/^▶ #\d+ .* warm /gm)?.length, 3, 'then warm invocations');
    assert.match(out, /▶ #1\s+GET \/orders\/42 .*✓ 200/);
    assert.match(out, /^\s+└─ load order\s+ *█+ *\s+[\d.]+ ms$/m, 'the downstream child span under the invocation span');
    assert.match(out, /▶ #3\s+GET \/orders\/boom .*✗ Error/);
    assert.match(out, /error\s+Error: order store unavailable while loading order boom/);
    assert.match(out, /INFO\s+checkout\s+checkout started\s+items=1/, 'the logger of a handler that imports lambda-observe');
    assert.match(out, /cart\.items=1\s+customer\.tier=gold/, 'its annotate() fields in the wide event');
    assert.match(out, /(metrics)?\s+checkouts_total\{tier="gold"\} 1$/m, 'its custom metric in the exposition');
    assert.match(out, /faas_errors_total\{faas_trigger="http",error_type="Error"\} 1/);
    assert.match(out, /batchItemFailures":\[\{"itemIdentifier":"c80e8021-a70a-42c7-a470-796e1186f753"\}\]/);
    assert.match(out, /summary\s+3 invocations\s+·\s+1 error/);
    const lines = out.split('\n').length;
    assert.ok(lines <= 120, `a screen or two, got ${lines} lines`);
  });

  it('--json gives parseable lines with one trace id per invocation', async () => {
    const run = await cli.run(['demo', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const lines = jsonLines(run.stdout);
    const results = lines.filter((l) => l['event.name'] === 'cli.invocation');
    assert.equal(results.length, 7);
    assert.deepEqual(results.map((r) => r.outcome), ['success', 'success', 'error', 'success', 'success', 'success', 'success']);
    for (const result of results) {
      const own = lines.filter((l) => invocationIdOf(l) === result.faas.invocation_id);
      assert.deepEqual([...new Set(own.map((l) => l.trace_id))], [result.trace_id]);
    }
    assert.equal(new Set(results.map((r) => r.trace_id)).size, 7);
  });
});
