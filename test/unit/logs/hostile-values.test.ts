/**
 * Values that break naive loggers must not break ours: each is logged, the line is one parseable
 * JSON object that keeps the useful part of the value, and the call never throws.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getLogger, observe } from '../../../src/index.ts';
import { parseEnv, resolveConfig, type ObserveOptions } from '../../../src/config.ts';
import { configureLogs } from '../../../src/logs/configure.ts';
import { captureOutput, type Capture, type Line } from '../../support/capture.ts';
import { lambdaContext } from '../../support/lambda-context.ts';

const log = getLogger('hostile');
let capture: Capture;

before(async () => {
  capture = captureOutput();
  await observe(async () => 'warm')({}, lambdaContext());
});
after(() => capture.stop());

function configure(options?: ObserveOptions, env: Record<string, string> = {}): void {
  configureLogs(resolveConfig(options, parseEnv(env)));
}

/** Log `fields` with `message` outside an invocation and return the one parsed line. */
function logged(message: unknown, fields?: unknown): Line {
  capture.clear();
  assert.doesNotThrow(() => (log.info as (m: unknown, f?: unknown) => void)(message, fields));
  const lines = capture.logs();
  assert.equal(lines.length, 1, `one line for ${String(message)}`);
  return lines[0] as Line;
}

describe('hostile values', () => {
  before(() => configure());

  it('Errors, with their cause chain, own fields and type', () => {
    class DbError extends Error {
      code = 'ECONNRESET';
    }
    const root = new TypeError('socket closed');
    const error = new DbError('query failed', { cause: new Error('pool exhausted', { cause: root }) });
    const line = logged('db down', { error });
    assert.equal(line.error.type, 'DbError');
    assert.equal(line.error.message, 'query failed');
    assert.equal(line.error.code, 'ECONNRESET');
    assert.match(line.error.stacktrace, /^Error: query failed\n\s+at /);
    assert.equal(line.error.cause.message, 'pool exhausted');
    assert.equal(line.error.cause.cause.type, 'TypeError');
    assert.equal(line.error.cause.cause.message, 'socket closed');
  });

  it('AggregateError lists its errors', () => {
    const line = logged('all failed', new AggregateError([new Error('a'), new RangeError('b'), 'plain'], 'batch failed'));
    assert.equal(line.exception.type, 'AggregateError');
    assert.equal(line.exception.message, 'batch failed');
    assert.deepEqual(line.exception.errors.map((e: Line | string) => (typeof e === 'string' ? e : `${e.type}:${e.message}`)), [
      'Error:a',
      'RangeError:b',
      'plain',
    ]);
  });

  it('an Error as the message, and a cause that points back at its error', () => {
    const error = new Error('loop');
    (error as { cause?: unknown }).cause = error;
    const line = logged(error);
    assert.equal(line.message, 'loop');
    assert.equal(line.exception.cause, '[Circular]');
  });

  it('circular objects, while a shared (non-circular) object appears twice', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    const shared = { k: 1 };
    const line = logged('cycle', { a, left: shared, right: shared });
    assert.deepEqual(line.a, { name: 'a', self: '[Circular]' });
    assert.deepEqual(line.left, { k: 1 });
    assert.deepEqual(line.right, { k: 1 });
  });

  it('BigInt, symbols, functions, NaN and Infinity', () => {
    const line = logged('odd scalars', {
      big: 12345678901234567890n,
      sym: Symbol('s'),
      fn: function named() {},
      nan: Number.NaN,
      inf: -Infinity,
      undef: undefined,
    });
    assert.equal(line.big, '12345678901234567890');
    assert.equal(line.sym, 'Symbol(s)');
    assert.equal(line.fn, '[Function named]');
    assert.equal(line.nan, 'NaN');
    assert.equal(line.inf, '-Infinity');
    assert.ok(!('undef' in line));
  });

  it('Buffers and typed arrays by size, never by content dump', () => {
    const line = logged('binary', { buf: Buffer.alloc(1_000_000, 1), u8: new Uint8Array(16), ab: new ArrayBuffer(8), f64: new Float64Array(4) });
    assert.deepEqual(line.buf, { type: 'Buffer', bytes: 1_000_000 });
    assert.deepEqual(line.u8, { type: 'Uint8Array', bytes: 16 });
    assert.deepEqual(line.ab, { type: 'ArrayBuffer', bytes: 8 });
    assert.deepEqual(line.f64, { type: 'Float64Array', bytes: 32 });
  });

  it('Map, Set, Date (valid and invalid), URL and RegExp', () => {
    const line = logged('collections', {
      map: new Map<unknown, unknown>([['a', 1], [2, new Set([1, 2])]]),
      set: new Set(['x', 'y']),
      when: new Date('2026-11-22T10:00:00Z'),
      bad: new Date('nope'),
      url: new URL('https://example.com/a'),
      re: /ab+c/gi,
    });
    assert.deepEqual(line.map, { a: 1, 2: [1, 2] });
    assert.deepEqual(line.set, ['x', 'y']);
    assert.equal(line.when, '2026-11-22T10:00:00.000Z');
    assert.equal(line.bad, 'Invalid Date');
    assert.equal(line.url, 'https://example.com/a');
    assert.equal(line.re, '/ab+c/gi');
  });

  it('getters that throw, toJSON that throws, and proxies whose traps throw', () => {
    const getter = { ok: 1, get boom(): never { throw new Error('getter exploded'); } };
    const badJson = { toJSON() { throw new Error('no json'); } };
    const trap = new Proxy({}, { ownKeys() { throw new Error('no keys'); }, getPrototypeOf() { throw new Error('no proto'); } });
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    const line = logged('traps', { getter, badJson, trap, revoked });
    assert.deepEqual(line.getter, { ok: 1, boom: '[getter threw: getter exploded]' });
    assert.equal(line.badJson, '[toJSON threw: no json]');
    assert.match(line.trap, /^\[Unserializable: no proto\]$/);
    assert.match(line.revoked, /^\[Unserializable: .*revoked/);
  });

  it('a message whose toString throws, and odd argument shapes', () => {
    const evil = { toString() { throw new Error('nope'); } };
    assert.doesNotThrow(() => log.info(evil as unknown as string));
    assert.doesNotThrow(() => log.info(undefined as unknown as string, 42 as never));
    const line = logged({ order_id: 7 }, 'fields first');
    assert.equal(line.message, 'fields first');
    assert.equal(line.order_id, 7);
    const lineWithArray = logged('array as fields', [1, 2]);
    assert.deepEqual(lineWithArray.value, [1, 2]);
  });

  it('deep nesting and huge arrays are cut with markers', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 30; i++) deep = { next: deep };
    const line = logged('big', { deep, list: Array.from({ length: 1000 }, (_, i) => i) });
    assert.match(JSON.stringify(line.deep), /\[Object: too deep\]/);
    assert.equal(line.list.length, 201);
    assert.equal(line.list[200], '[… 800 more items]');
  });

  it('the envelope wins a name clash with user fields', () => {
    const line = logged('clash', { level: 'fake', message: 'fake', logger: 'fake', trace_id: 'fake', service: { team: 'pay' } });
    assert.equal(line.level, 'info');
    assert.equal(line.message, 'clash');
    assert.equal(line.logger, 'hostile');
    assert.notEqual(line.trace_id, 'fake');
    assert.equal(line.service.team, 'pay', 'envelope objects merge with the user object of the same name');
    assert.ok(line.service.name);
  });
});

describe('huge strings', () => {
  it('are cut at maxStringLength with a marker saying how much was cut', () => {
    configure({ maxStringLength: 100 });
    const line = logged('x'.repeat(500), { body: 'y'.repeat(1000), nested: { list: ['z'.repeat(300)] } });
    assert.equal(line.message, `${'x'.repeat(100)}…[truncated 400 chars]`);
    assert.equal(line.body, `${'y'.repeat(100)}…[truncated 900 chars]`);
    assert.equal(line.nested.list[0], `${'z'.repeat(100)}…[truncated 200 chars]`);
  });

  it('the cap comes from LAMBDA_OBSERVE_MAX_STRING_LENGTH too', () => {
    configure(undefined, { LAMBDA_OBSERVE_MAX_STRING_LENGTH: '64' });
    const line = logged('a'.repeat(65));
    assert.equal(line.message, `${'a'.repeat(64)}…[truncated 1 chars]`);
  });

  it('a secret that straddles the cut is masked, not left half visible', () => {
    configure({ maxStringLength: 100 });
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const line = logged(`${'p'.repeat(80)} ${jwt} tail`);
    assert.ok(!line.message.includes('eyJhbGciOiJIUzI1NiJ9'), line.message);
    assert.ok(line.message.startsWith(`${'p'.repeat(80)} [REDACTED]`));
    configure();
  });
});
