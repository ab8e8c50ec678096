// The flush hold's deadline timer (one timer for the process, re-armed only when it would fire too
// late): each wait expires at its own deadline, never before, and a cancelled wait never expires.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { createHoldDeadline } from '../../../src/layer/flush-hold-deadline.ts';

describe('flush hold deadline', () => {
  test('a wait expires at its deadline, not before', async () => {
    const deadline = createHoldDeadline();
    const started = Date.now();
    let expiredAt = 0;
    deadline.start(started + 40, () => (expiredAt = Date.now()));
    await sleep(80);
    assert.ok(expiredAt >= started + 40, `expired after ${expiredAt - started} ms`);
  });

  test('a cancelled wait never expires, though its timer stays armed', async () => {
    const deadline = createHoldDeadline();
    let expired = 0;
    deadline.start(Date.now() + 20, () => expired++);
    deadline.cancel();
    await sleep(60);
    assert.equal(expired, 0);
  });

  test('a later wait with a later deadline than the armed timer waits for its own', async () => {
    const deadline = createHoldDeadline();
    const started = Date.now();
    let expiredAt = 0;
    deadline.start(started + 20, () => undefined);
    deadline.cancel();
    // The timer armed for 20 ms is reused and fires early for this wait: it must arm again for the rest.
    deadline.start(started + 70, () => (expiredAt = Date.now()));
    await sleep(40);
    assert.equal(expiredAt, 0, 'expired at the first wait\'s deadline');
    await sleep(80);
    assert.ok(expiredAt >= started + 70, `expired after ${expiredAt - started} ms`);
  });

  test('a wait with an earlier deadline than the armed timer expires at its own', async () => {
    const deadline = createHoldDeadline();
    const started = Date.now();
    deadline.start(started + 10_000, () => undefined);
    deadline.cancel();
    let expiredAt = 0;
    deadline.start(started + 20, () => (expiredAt = Date.now()));
    await sleep(60);
    assert.ok(expiredAt >= started + 20, expiredAt ? `expired after ${expiredAt - started} ms` : 'had not expired after 60 ms');
  });

  test('a past deadline expires on the next turn', async () => {
    const deadline = createHoldDeadline();
    let expired = false;
    deadline.start(Date.now() - 100, () => (expired = true));
    assert.equal(expired, false);
    await sleep(10);
    assert.equal(expired, true);
  });

  test('a cancelled wait never keeps the process alive, though its timer stays armed', () => {
    // In a process of its own, which must end at once, not when the minute-long timer would fire
    // (execFileSync throws ETIMEDOUT after 30 s).
    const script = `import { createHoldDeadline } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../../src/layer/flush-hold-deadline.ts')).href)};
      const deadline = createHoldDeadline();
      deadline.start(Date.now() + 60_000, () => { console.log('expired'); });
      deadline.cancel();`;
    assert.equal(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 }), '');
  });
});
