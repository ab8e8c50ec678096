/**
 * Levels, per-name overrides and remaps, read from the lines that come out. Each test applies a
 * config (code options over an env) the way the lifecycle does, then runs an invocation through
 * `observe()` and parses what it wrote.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getLogger, observe } from '../../../src/index.ts';
import { parseEnv, resolveConfig, type ObserveOptions } from '../../../src/config.ts';
import { configureLogs } from '../../../src/logs/configure.ts';
import { captureOutput, type Capture, type Line } from '../../support/capture.ts';
import { lambdaContext } from '../../support/lambda-context.ts';

let capture: Capture;
let body: () => void | Promise<void> = () => {};
const handler = observe(async () => {
  await body();
  return 'ok';
});

before(async () => {
  capture = captureOutput();
  await handler({}, lambdaContext()); // builds telemetry once; each test then applies its own config
});
after(() => capture.stop());

function configure(options?: ObserveOptions, env: Record<string, string> = {}): void {
  configureLogs(resolveConfig(options, parseEnv(env)));
}

/** Run one successful invocation; return its log lines (not the wide event) and the wide event. */
async function run(fn: () => void): Promise<{ logs: Line[]; event: Line }> {
  capture.clear();
  body = fn;
  await handler({}, lambdaContext());
  const [event] = capture.events();
  assert.ok(event, 'a wide event was written');
  return { logs: capture.logs(), event };
}

const summary = (lines: Line[]) => lines.map((l) => `${l.logger}:${l.level}:${l.message}`);

function logEverything(names: readonly string[]): void {
  for (const name of names) {
    const log = getLogger(name);
    log.error('e');
    log.warn('w');
    log.info('i');
    log.debug('d');
  }
}

describe('root level', () => {
  it('defaults to info: error, warn and info are written, debug is not (on success)', async () => {
    configure();
    const { logs } = await run(() => logEverything(['app']));
    assert.deepEqual(summary(logs), ['app:error:e', 'app:warn:w', 'app:info:i']);
  });

  it('every line carries the shared ids, the logger name and the caller fields', async () => {
    configure();
    const { logs, event } = await run(() => getLogger('orders').info('order placed', { order_id: '42', amount: 12.5 }));
    const [line] = logs;
    assert.ok(line);
    assert.equal(line.level, 'info');
    assert.equal(line.message, 'order placed');
    assert.equal(line.logger, 'orders');
    assert.equal(line.order_id, '42');
    assert.equal(line.amount, 12.5);
    assert.ok(!Number.isNaN(Date.parse(line.timestamp)));
    assert.equal(line.trace_id, event.trace_id);
    assert.equal(line.span_id, event.span_id);
    assert.equal(line.request_id, event.request_id);
    assert.equal(line.faas.invocation_id, event.faas.invocation_id);
    assert.equal(line.service.name, event.service.name);
  });

  const precedence: Array<[string, ObserveOptions | undefined, Record<string, string>, string[]]> = [
    ['LAMBDA_OBSERVE_LOG_LEVEL over AWS_LAMBDA_LOG_LEVEL', undefined, { LAMBDA_OBSERVE_LOG_LEVEL: 'warn', AWS_LAMBDA_LOG_LEVEL: 'DEBUG' }, ['error', 'warn']],
    ["Lambda's AWS_LAMBDA_LOG_LEVEL when ours is unset", undefined, { AWS_LAMBDA_LOG_LEVEL: 'ERROR' }, ['error']],
    ['FATAL folds into error', undefined, { AWS_LAMBDA_LOG_LEVEL: 'FATAL' }, ['error']],
    ['TRACE folds into debug', undefined, { AWS_LAMBDA_LOG_LEVEL: 'TRACE' }, ['error', 'warn', 'info', 'debug']],
    ['critical folds into error', undefined, { LAMBDA_OBSERVE_LOG_LEVEL: 'critical' }, ['error']],
    ['the code option over both', { logLevel: 'debug' }, { LAMBDA_OBSERVE_LOG_LEVEL: 'error', AWS_LAMBDA_LOG_LEVEL: 'ERROR' }, ['error', 'warn', 'info', 'debug']],
    ['a bad env value falls back to the next source', undefined, { LAMBDA_OBSERVE_LOG_LEVEL: 'loud', AWS_LAMBDA_LOG_LEVEL: 'WARN' }, ['error', 'warn']],
  ];
  for (const [name, options, env, levels] of precedence) {
    it(name, async () => {
      configure(options, env);
      const { logs } = await run(() => logEverything(['app']));
      assert.deepEqual(logs.map((l) => l.level), levels);
    });
  }
});

describe('per-name overrides', () => {
  const names = ['db', 'db.query', 'db.pool', 'db.pool.idle', 'dbx', 'http', 'http.client'];
  const expected = [
    'db:error:e',
    'db:warn:w',
    'db.query:error:e',
    'db.query:warn:w',
    'db.pool:error:e',
    'db.pool:warn:w',
    'db.pool:info:i',
    'db.pool:debug:d',
    'db.pool.idle:error:e',
    'db.pool.idle:warn:w',
    'db.pool.idle:info:i',
    'db.pool.idle:debug:d',
    'dbx:error:e',
    'dbx:warn:w',
    'dbx:info:i',
    'http:error:e',
    'http:warn:w',
    'http:info:i',
    'http.client:error:e',
  ];

  it('a dotted name covers its children; the most specific override wins (options)', async () => {
    configure({ logLevels: { db: 'warn', 'db.pool': 'debug', 'http.client': 'error' } });
    const { logs } = await run(() => logEverything(names));
    assert.deepEqual(summary(logs), expected);
  });

  it('the same from LAMBDA_OBSERVE_LOG_LEVELS', async () => {
    configure(undefined, { LAMBDA_OBSERVE_LOG_LEVELS: 'db=warn, db.pool=DEBUG,http.client=error' });
    const { logs } = await run(() => logEverything(names));
    assert.deepEqual(summary(logs), expected);
  });

  it('options and env merge per name, the option winning', async () => {
    configure({ logLevels: { 'http.client': 'error', 'db.pool': 'debug' } }, { LAMBDA_OBSERVE_LOG_LEVELS: 'db=warn,http.client=debug' });
    const { logs } = await run(() => logEverything(names));
    assert.deepEqual(summary(logs), expected);
  });

  it('bad env entries are dropped with a warning, good ones kept', () => {
    const env = parseEnv({ LAMBDA_OBSERVE_LOG_LEVELS: 'db=warn,=info,cache=loud,http', LAMBDA_OBSERVE_LOG_REMAP: 'x:error=warn,nonsense' });
    const config = resolveConfig(undefined, env);
    assert.deepEqual(config.logs.levels, { db: 'warn' });
    assert.deepEqual(config.logs.remaps, { x: { error: 'warn' } });
    assert.equal(env.warnings.filter((w) => w.startsWith('LAMBDA_OBSERVE_LOG_LEVELS')).length, 3);
    assert.equal(env.warnings.filter((w) => w.startsWith('LAMBDA_OBSERVE_LOG_REMAP')).length, 1);
  });
});

describe('remaps', () => {
  it('rewrite a library’s levels before anything is emitted', async () => {
    configure({ logRemaps: { 'vendor.sdk': { error: 'warn', info: 'debug' } } });
    const { logs, event } = await run(() => {
      getLogger('vendor.sdk').error('connection reset, retrying');
      getLogger('vendor.sdk.http').error('socket hang up, retrying');
      getLogger('vendor.sdk').info('heartbeat');
      getLogger('vendor').error('a real error of another logger');
    });
    assert.deepEqual(summary(logs), [
      'vendor.sdk:warn:connection reset, retrying',
      'vendor.sdk.http:warn:socket hang up, retrying',
      'vendor:error:a real error of another logger',
    ]);
    // The wide event counts lines as written, after remapping.
    assert.deepEqual(event.log_counts, { error: 1, warn: 2, info: 0, debug: 0 });
  });

  it('are applied before the level filter', async () => {
    configure({ logRemaps: { 'vendor.sdk': { error: 'warn' } }, logLevels: { 'vendor.sdk': 'error' } });
    const { logs } = await run(() => getLogger('vendor.sdk').error('routine'));
    assert.deepEqual(logs, [], 'remapped to warn, then filtered by the error threshold');
  });

  it('a child remap wins over its parent per level; the parent fills the rest', async () => {
    configure({ logRemaps: { vendor: { error: 'info', warn: 'info' }, 'vendor.sdk': { error: 'warn' } } });
    const { logs } = await run(() => {
      getLogger('vendor.sdk').error('a');
      getLogger('vendor.sdk').warn('b');
    });
    assert.deepEqual(summary(logs), ['vendor.sdk:warn:a', 'vendor.sdk:info:b']);
  });

  it('from LAMBDA_OBSERVE_LOG_REMAP, with critical/fatal folded into error', async () => {
    configure(undefined, { LAMBDA_OBSERVE_LOG_REMAP: 'vendor.sdk:fatal=warn, chatty:debug=info' });
    const { logs } = await run(() => {
      getLogger('vendor.sdk').error('x');
      getLogger('chatty').debug('promoted');
    });
    assert.deepEqual(summary(logs), ['vendor.sdk:warn:x', 'chatty:info:promoted']);
  });

  it("our own warnings go through the logger 'lambda-observe' and can be silenced by name", async () => {
    configure({ logLevels: { 'lambda-observe': 'error' } });
    const { logs } = await run(() => getLogger('x').info(Symbol('odd') as unknown as string));
    assert.deepEqual(summary(logs), ['x:info:Symbol(odd)'], 'the "was given a symbol" warning is filtered');
  });
});

describe('bad options throw at observe()', () => {
  const bad: Array<[string, ObserveOptions]> = [
    ['a level that does not exist', { logLevels: { db: 'loud' as never } }],
    ['a logger name with spaces', { logLevels: { 'my db': 'warn' } }],
    ['a remap to an unknown level', { logRemaps: { x: { error: 'fatal' as never } } }],
    ['a remap that is not an object', { logRemaps: { x: 'warn' as never } }],
    ['a sample rate above 1', { logDebugSampleRate: 2 }],
    ['a tiny string cap', { maxStringLength: 10 }],
    ['a negative buffer', { logBufferBytes: -1 }],
    ['an invalid redaction pattern', { redact: { patterns: ['(unclosed'] } }],
    ['an unknown redaction option', { redact: { key: ['x'] } as never }],
    ['redaction keys that are not strings', { redact: { keys: [42 as never] } }],
    ['captureConsole not a boolean', { captureConsole: 'yes' as never }],
  ];
  for (const [name, options] of bad) {
    it(name, () => assert.throws(() => observe(async () => 1, options), TypeError));
  }
});

describe('isLevelEnabled', () => {
  it('says whether a call would write or hold a line', async () => {
    configure({ logLevels: { quiet: 'warn' } });
    const app = getLogger('app');
    const quiet = getLogger('quiet.child');
    assert.equal(app.isLevelEnabled('info'), true);
    assert.equal(app.isLevelEnabled('debug'), false, 'outside an invocation there is nothing to hold debug lines');
    let inside: boolean[] = [];
    await run(() => {
      inside = [app.isLevelEnabled('debug'), quiet.isLevelEnabled('info'), quiet.isLevelEnabled('warn')];
    });
    assert.deepEqual(inside, [true, false, true], 'debug is held by the buffer; quiet.child inherits warn');

    configure({ logBufferDebug: false });
    await run(() => {
      inside = [app.isLevelEnabled('debug')];
    });
    assert.deepEqual(inside, [false]);
  });
});
