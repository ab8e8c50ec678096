/**
 * The CLI's named samples ship inside the package (src/cli/sample-events → dist/), but they are
 * the test fixtures: byte-for-byte the same files, under the same short names.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLES, SAMPLE_NAMES, sampleEvent } from '../../src/cli/sample-events.ts';
import { refreshTraceIds } from '../../src/cli/events.ts';
import { fixtureFiles, fixturePath, loadFixture, type FixtureName } from '../fixtures/events/index.ts';
import { REPO } from './cli-harness.ts';

const SAMPLE_DIR = join(REPO, 'src/cli/sample-events');

describe('sample events', () => {
  it('are identical to the test fixtures', () => {
    const files = readdirSync(SAMPLE_DIR).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 10);
    for (const file of files) {
      assert.equal(readFileSync(join(SAMPLE_DIR, file), 'utf8'), readFileSync(join(REPO, 'test/fixtures/events', file), 'utf8'), `${file} differs from test/fixtures/events/${file}; copy it again`);
    }
  });

  it('use the fixture names, each for the same file, and each is listed in the directory', () => {
    const files = new Set(readdirSync(SAMPLE_DIR));
    for (const name of SAMPLE_NAMES) {
      assert.equal(SAMPLES[name].file, fixtureFiles[name as FixtureName], `sample ${name}`);
      assert.ok(files.has(SAMPLES[name].file), `${SAMPLES[name].file} is in src/cli/sample-events`);
      assert.deepEqual(sampleEvent(name), loadFixture(name as FixtureName), `sample ${name} is the fixture's event`);
      assert.ok(fixturePath(name as FixtureName));
    }
    assert.deepEqual([...SAMPLE_NAMES].sort(), ['alb', 'api', 'direct', 'eventbridge', 'http', 'schedule', 'sns', 'sqs', 'sqs-single', 'url']);
  });

  it('get fresh trace ids per copy, equal values staying equal', () => {
    const original = sampleEvent('api') as { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> };
    const fresh = refreshTraceIds(sampleEvent('api')) as typeof original;
    assert.notEqual(fresh.headers.traceparent, original.headers.traceparent);
    assert.match(fresh.headers.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.equal(fresh.multiValueHeaders.traceparent?.[0], fresh.headers.traceparent);
    assert.equal(fresh.headers.tracestate, original.headers.tracestate);
    assert.notEqual(fresh.headers['X-Amzn-Trace-Id'], original.headers['X-Amzn-Trace-Id']);
    assert.match(fresh.headers['X-Amzn-Trace-Id'] ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });
});
