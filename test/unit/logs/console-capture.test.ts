/**
 * `captureConsole`: console.log/info/warn/error/debug become structured, correlated, redacted
 * lines of the logger `console`; turned off, the original methods are back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { observe } from '../../../src/index.ts';
import { parseEnv, resolveConfig, type ObserveOptions } from '../../../src/config.ts';
import { configureLogs } from '../../../src/logs/configure.ts';
import { captureOutput, type Capture } from '../../support/capture.ts';
import { lambdaContext } from '../../support/lambda-context.ts';

// What console.log was before lambda-observe replaced it: a stub, so nothing reaches the test's stdout.
const seenByOriginal: unknown[][] = [];
const realLog = console.log;
const stub = (...args: unknown[]) => void seenByOriginal.push(args);
console.log = stub;

let capture: Capture;
let body: () => unknown = () => 'ok';
const handler = observe(async () => body(), { captureConsole: true });

before(async () => {
  capture = captureOutput();
  await handler({}, lambdaContext());
});
after(() => {
  configureLogs(resolveConfig(undefined, parseEnv({})));
  console.log = realLog;
  capture.stop();
});

function configure(options?: ObserveOptions, env: Record<string, string> = {}): void {
  configureLogs(resolveConfig(options, parseEnv(env)));
}

async function run(fn: () => unknown) {
  capture.clear();
  body = fn;
  await handler({}, lambdaContext()).catch(() => undefined);
  return { logs: capture.logs(), event: capture.events()[0] };
}

describe('console capture', () => {
  it('routes console methods through the logger "console", with levels and the invocation ids', async () => {
    configure({ captureConsole: true });
    const { logs, event } = await run(() => {
      console.log('hello %s, %d items', 'world', 3, { order_id: 'o-1' });
      console.info('info line');
      console.warn('careful', { a: 1 }, { b: 2 });
      console.error('failed to charge', new TypeError('card declined'));
      console.debug('held in the debug buffer, dropped on success');
      return 'ok';
    });
    assert.deepEqual(
      logs.map((l) => `${l.logger}:${l.level}:${l.message}`),
      ['console:info:hello world, 3 items', 'console:info:info line', 'console:warn:careful', 'console:error:failed to charge'],
    );
    const [first, , warn, error] = logs;
    assert.equal(first?.order_id, 'o-1', 'a single object argument becomes the fields');
    assert.deepEqual(warn?.args, [{ a: 1 }, { b: 2 }]);
    assert.equal(error?.exception.type, 'TypeError');
    assert.equal(error?.exception.message, 'card declined');
    for (const line of logs) {
      assert.equal(line.trace_id, event?.trace_id);
      assert.equal(line.faas.invocation_id, event?.faas.invocation_id);
    }
    assert.deepEqual(event?.log_counts, { error: 1, warn: 1, info: 2, debug: 0 });
    assert.equal(seenByOriginal.length, 0, 'the original console.log was not called');
  });

  it('redacts what console is given: objects by key, strings by shape', async () => {
    configure({ captureConsole: true });
    const { logs } = await run(() => {
      console.log('login', { user: 'bob', password: 'hunter2' });
      console.log('header Authorization: Bearer abcdefghijklmnopqrstuvwxyz');
    });
    assert.equal(logs[0]?.password, '[REDACTED]');
    assert.equal(logs[1]?.message, 'header Authorization: [REDACTED]');
    assert.ok(!capture.text().includes('hunter2'));
  });

  it('console debug lines come out before the error line when the invocation fails', async () => {
    configure({ captureConsole: true });
    const { logs } = await run(() => {
      console.debug('detail');
      throw new Error('x');
    });
    assert.deepEqual(logs.map((l) => `${l.level}:${l.message}`), ['debug:detail', 'error:invocation failed']);
  });

  it('the logger name "console" takes per-name levels', async () => {
    configure({ captureConsole: true, logLevels: { console: 'warn' } });
    const { logs } = await run(() => {
      console.log('noise');
      console.warn('kept');
    });
    assert.deepEqual(logs.map((l) => l.message), ['kept']);
  });

  it('turned off (LAMBDA_OBSERVE_CAPTURE_CONSOLE=false), the original methods are back', async () => {
    configure(undefined, { LAMBDA_OBSERVE_CAPTURE_CONSOLE: 'false' });
    assert.equal(console.log, stub);
    const { logs } = await run(() => console.log('plain', 1));
    assert.deepEqual(logs, []);
    assert.deepEqual(seenByOriginal, [['plain', 1]]);
  });
});
