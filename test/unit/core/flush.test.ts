/** The budgeted flush abandons what hangs and reports what failed, without throwing. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { flushWithin } from '../../../src/flush.ts';

describe('flushWithin', () => {
  it('runs tasks in parallel and returns at the budget', async () => {
    const never = new Promise<void>(() => {});
    const report = await flushWithin(
      [
        { name: 'fast', run: () => new Promise((r) => setTimeout(r, 10)) },
        { name: 'hung', run: () => never },
        { name: 'broken', run: () => Promise.reject(new Error('down')) },
        { name: 'throws', run: () => { throw new Error('sync'); } },
      ],
      120,
    );
    assert.deepEqual(report.ok, ['fast']);
    assert.deepEqual(report.timedOut, ['hung']);
    assert.deepEqual(report.failed.map((f) => f.name).sort(), ['broken', 'throws']);
    assert.ok(report.elapsedMs >= 115 && report.elapsedMs < 400, `elapsed ${report.elapsedMs}`);
  });

  it('returns as soon as everything settled', async () => {
    const report = await flushWithin([{ name: 'a', run: async () => {} }], 5_000);
    assert.ok(report.elapsedMs < 100);
    assert.deepEqual(report.ok, ['a']);
  });
});
