/**
 * The Prometheus rules shipped in infra/prometheus (stale Pushgateway groups, RED recording rules,
 * push alerts) are valid and do what they claim: `promtool test rules` evaluates them over series
 * shaped like lambda-observe's pushes, including an environment that died without SIGTERM.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { requireBinaries } from '../support/prometheus-stack.ts';

const PROMTOOL = '/usr/bin/promtool';
const DIR = fileURLToPath(new URL('../../infra/prometheus/', import.meta.url));

function promtool(...args: string[]) {
  requireBinaries();
  assert.ok(existsSync(PROMTOOL), `${PROMTOOL} is installed with the prometheus package`);
  return spawnSync(PROMTOOL, args, { cwd: DIR, encoding: 'utf8', timeout: 30_000 });
}

describe('infra/prometheus rules', () => {
  it('pass promtool check rules', () => {
    const run = promtool('check', 'rules', 'lambda-observe.rules.yml');
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /SUCCESS: 10 rules found/);
  });

  it('pass their unit tests (stale groups ignored, rates, alerts)', () => {
    const run = promtool('test', 'rules', 'lambda-observe.rules.test.yml');
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /SUCCESS/);
  });
});
