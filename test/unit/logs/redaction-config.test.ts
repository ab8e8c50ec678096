/**
 * Redaction settings from env and code, seen in the lines that come out: on by default, turned
 * off by `LAMBDA_OBSERVE_REDACT=false` or `redact: false`, extended with keys and allow-listed
 * keys from both sources.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getLogger, observe, redactText } from '../../../src/index.ts';
import { parseEnv, resolveConfig, type ObserveOptions } from '../../../src/config.ts';
import { configureLogs } from '../../../src/logs/configure.ts';
import { captureOutput, type Capture, type Line } from '../../support/capture.ts';
import { lambdaContext } from '../../support/lambda-context.ts';

const log = getLogger('settings');
let capture: Capture;

before(async () => {
  capture = captureOutput();
  await observe(async () => 'warm')({}, lambdaContext());
});
after(() => {
  configureLogs(resolveConfig(undefined, parseEnv({})));
  capture.stop();
});

function logged(options: ObserveOptions | undefined, env: Record<string, string>, fields: Record<string, unknown>): Line {
  configureLogs(resolveConfig(options, parseEnv(env)));
  capture.clear();
  log.info('line', fields);
  const [line] = capture.logs();
  assert.ok(line);
  return line;
}

const fields = { password: 'pw', session: 'sess', tenant_hint: 'hint', note: 'token=abc', customer: 'c' };

describe('redaction settings', () => {
  it('is on with no configuration', () => {
    const line = logged(undefined, {}, fields);
    assert.deepEqual([line.password, line.session, line.tenant_hint, line.note], ['[REDACTED]', '[REDACTED]', 'hint', 'token=[REDACTED]']);
  });

  it('LAMBDA_OBSERVE_REDACT=false turns it off for logs and for the shared helpers', () => {
    const line = logged(undefined, { LAMBDA_OBSERVE_REDACT: 'false' }, fields);
    assert.deepEqual([line.password, line.note], ['pw', 'token=abc']);
    assert.equal(redactText('token=abc'), 'token=abc');
  });

  it('redact: false in code wins over env, and redact: {} in code does not turn it back on against env', () => {
    assert.equal(logged({ redact: false }, {}, fields).password, 'pw');
    assert.equal(logged({ redact: { keys: ['x'] } }, { LAMBDA_OBSERVE_REDACT: 'false' }, fields).password, 'pw');
    assert.equal(logged({ redact: { enabled: true } }, { LAMBDA_OBSERVE_REDACT: 'false' }, fields).password, '[REDACTED]');
  });

  it('keys and allow-listed keys from env and code are combined', () => {
    const line = logged(
      { redact: { keys: ['customer'], allowKeys: ['password'] } },
      { LAMBDA_OBSERVE_REDACT_KEYS: 'tenant-hint', LAMBDA_OBSERVE_REDACT_ALLOW: 'session' },
      fields,
    );
    assert.deepEqual(
      [line.password, line.session, line.tenant_hint, line.customer, line.note],
      ['pw', 'sess', '[REDACTED]', '[REDACTED]', 'token=[REDACTED]'],
    );
  });

  it('an allow-listed key is also left alone in free text', () => {
    const line = logged({ redact: { allowKeys: ['token'] } }, {}, { note: 'token=abc password=x' });
    assert.equal(line.note, 'token=abc password=[REDACTED]');
  });
});
