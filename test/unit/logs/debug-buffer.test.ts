/**
 * Debug buffering and sampling, read from the lines that come out: held debug lines appear (in
 * order, before the error line, with their own invocation's ids) only when the invocation fails
 * or times out, and never across concurrent invocations.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getLogger, observe } from '../../../src/index.ts';
import { parseEnv, resolveConfig, type ObserveOptions } from '../../../src/config.ts';
import { configureLogs } from '../../../src/logs/configure.ts';
import { captureOutput, type Capture, type Line } from '../../support/capture.ts';
import { lambdaContext, sleep } from '../../support/lambda-context.ts';

const log = getLogger('worker');
let capture: Capture;
type Event = { index?: number; fail?: boolean; sleepMs?: number };
let body: (event: Event) => unknown = () => 'ok';
const handler = observe(async (event: Event) => body(event), { timeoutMarginMs: 100 });

before(async () => {
  capture = captureOutput();
  await handler({}, lambdaContext());
});
after(() => capture.stop());

function configure(options?: ObserveOptions, env: Record<string, string> = {}): void {
  configureLogs(resolveConfig(options, parseEnv(env)));
}

const idOf = (line: Line) => line.faas?.invocation_id as string;
const isOutcome = (line: Line) => line.logger === 'lambda-observe' && /^invocation (failed|timed out)$/.test(line.message);

describe('debug buffer', () => {
  it('drops buffered debug lines when the invocation succeeds', async () => {
    configure();
    capture.clear();
    body = () => {
      log.debug('step 1');
      log.info('visible');
      log.debug('step 2');
      return 'ok';
    };
    await handler({}, lambdaContext());
    assert.deepEqual(capture.logs().map((l) => l.message), ['visible']);
    assert.equal(capture.events()[0]?.log_counts.debug, 0);
  });

  it('writes them, in order and before the error line, when it fails', async () => {
    configure();
    capture.clear();
    body = () => {
      log.debug('step 1', { n: 1 });
      log.info('visible');
      log.debug('step 2', { n: 2 });
      throw new Error('kaput');
    };
    await assert.rejects(handler({}, lambdaContext()), /kaput/);
    const logs = capture.logs();
    assert.deepEqual(
      logs.map((l) => `${l.level}:${l.message}`),
      ['info:visible', 'debug:step 1', 'debug:step 2', 'error:invocation failed'],
    );
    const [first, second] = logs.filter((l) => l.level === 'debug');
    assert.ok(first && second);
    assert.ok(first.timestamp <= second.timestamp, 'each line keeps the time it was logged');
    assert.equal(first.n, 1);
    assert.equal(capture.events()[0]?.log_counts.debug, 2, 'written debug lines are counted in the wide event');
  });

  it('writes them before the timeout line when the invocation times out', async () => {
    configure();
    capture.clear();
    body = async () => {
      log.debug('before the slow call');
      await sleep(400);
      log.debug('after the deadline: not buffered any more');
      return 'late';
    };
    await handler({}, lambdaContext({ timeoutMs: 250 }));
    const messages = capture.logs().map((l) => `${l.level}:${l.message}`);
    assert.deepEqual(messages, ['debug:before the slow call', 'error:invocation timed out']);
    assert.equal(capture.events()[0]?.outcome, 'timeout');
  });

  it('is bounded in bytes: the oldest lines go first and a line says how many', async () => {
    configure({ logBufferBytes: 2048 });
    capture.clear();
    body = () => {
      for (let i = 0; i < 100; i++) log.debug(`line ${i}`, { padding: 'x'.repeat(100) });
      throw new Error('after many debug lines');
    };
    await assert.rejects(handler({}, lambdaContext()));
    const debug = capture.logs().filter((l) => l.level === 'debug');
    const [note, ...kept] = debug;
    assert.ok(note);
    assert.equal(note.logger, 'lambda-observe');
    assert.match(note.message, /^\d+ earlier debug lines of this invocation were dropped/);
    assert.ok(kept.length > 0 && kept.length < 100);
    assert.equal(note.dropped_lines + kept.length, 100);
    assert.equal(kept.at(-1)?.message, 'line 99', 'the newest lines, nearest the failure, are kept');
    const bytes = kept.reduce((sum, l) => sum + Buffer.byteLength(`${JSON.stringify(l)}\n`), 0);
    assert.ok(bytes <= 2048, `kept ${bytes} bytes`);
  });

  it('is not used for loggers whose level the user set by name, nor when turned off', async () => {
    configure({ logLevels: { noisy: 'warn' } });
    capture.clear();
    body = () => {
      getLogger('noisy.sub').debug('muted by name');
      log.debug('buffered');
      throw new Error('x');
    };
    await assert.rejects(handler({}, lambdaContext()));
    assert.deepEqual(capture.logs().filter((l) => l.level === 'debug').map((l) => l.message), ['buffered']);

    configure(undefined, { LAMBDA_OBSERVE_LOG_BUFFER_DEBUG: 'false' });
    capture.clear();
    await assert.rejects(handler({}, lambdaContext()));
    assert.deepEqual(capture.logs().filter((l) => l.level === 'debug'), []);
  });

  it('64 concurrent invocations: each failure shows only its own debug lines, in order, before its error line', async () => {
    configure();
    capture.clear();
    const N = 64;
    const fails = (i: number) => i % 3 === 0;
    body = async (event) => {
      const index = event.index as number;
      for (let step = 0; step < 4; step++) {
        log.debug(`step ${step}`, { index, step });
        await sleep(Math.floor(Math.random() * 6));
      }
      if (fails(index)) throw new Error(`failure ${index}`);
      return index;
    };
    const contexts = Array.from({ length: N }, () => lambdaContext());
    const results = await Promise.allSettled(contexts.map((context, index) => handler({ index }, context)));
    results.forEach((r, i) => assert.equal(r.status, fails(i) ? 'rejected' : 'fulfilled'));

    const lines = capture.logs();
    const events = capture.events();
    for (let index = 0; index < N; index++) {
      const id = contexts[index]?.awsRequestId as string;
      const own = lines.filter((l) => idOf(l) === id);
      const event = events.find((e) => idOf(e) === id);
      assert.ok(event, `wide event of ${index}`);
      if (!fails(index)) {
        assert.deepEqual(own, [], `success ${index} writes no debug lines`);
        continue;
      }
      assert.deepEqual(
        own.map((l) => (isOutcome(l) ? 'error' : `${l.index}:${l.step}`)),
        [`${index}:0`, `${index}:1`, `${index}:2`, `${index}:3`, 'error'],
        `failure ${index}: its own debug lines in order, then its error line`,
      );
      for (const line of own) {
        assert.equal(line.trace_id, event.trace_id);
        assert.equal(line.span_id, event.span_id);
      }
      assert.equal(event.log_counts.debug, 4);
    }
    // Nothing attributed to the wrong invocation: every debug line's index matches its ids.
    for (const line of lines.filter((l) => l.level === 'debug')) {
      assert.equal(idOf(line), contexts[line.index]?.awsRequestId);
    }
  });
});

describe('debug sampling', () => {
  it('a sampled invocation writes its debug lines directly and says so in the wide event', async () => {
    configure({ logDebugSampleRate: 1 });
    capture.clear();
    body = () => {
      log.debug('sampled detail');
      return 'ok';
    };
    await handler({}, lambdaContext());
    assert.deepEqual(capture.logs().map((l) => `${l.level}:${l.message}`), ['debug:sampled detail']);
    assert.equal(capture.events()[0]?.['log.debug_sampled'], true);
  });

  it('LAMBDA_OBSERVE_LOG_DEBUG_SAMPLE_RATE samples about that fraction of invocations', async () => {
    configure(undefined, { LAMBDA_OBSERVE_LOG_DEBUG_SAMPLE_RATE: '0.5', LAMBDA_OBSERVE_LOG_BUFFER_DEBUG: 'false' });
    capture.clear();
    body = () => {
      log.debug('maybe');
      return 'ok';
    };
    const N = 400;
    for (let i = 0; i < N; i++) await handler({}, lambdaContext());
    const written = capture.logs().filter((l) => l.message === 'maybe').length;
    const flagged = capture.events().filter((e) => e['log.debug_sampled'] === true).length;
    assert.equal(written, flagged, 'exactly the flagged invocations wrote debug');
    // Binomial(400, 0.5): 6 standard deviations either side.
    assert.ok(written > 140 && written < 260, `sampled ${written} of ${N}`);
  });

  it('a rate above 1 in env is refused with a warning', () => {
    const env = parseEnv({ LAMBDA_OBSERVE_LOG_DEBUG_SAMPLE_RATE: '5' });
    assert.equal(resolveConfig(undefined, env).logs.debugSampleRate, 0);
    assert.ok(env.warnings.some((w) => w.startsWith('LAMBDA_OBSERVE_LOG_DEBUG_SAMPLE_RATE')));
  });
});
