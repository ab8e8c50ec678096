/**
 * The push policy: when a push happens, that pushes never overlap (cumulative PUTs out of order
 * would move counters backwards), back-off after a failure, and the final push at shutdown.
 * The sinks here are recording stand-ins for the network boundary.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { PushScheduler, type MetricsSink } from '../../../src/metrics/push-scheduler.ts';
import type { PushFailure } from '../../../src/metrics/pushgateway-client.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recordingSink(behaviour: { delayMs?: number; fail?: () => PushFailure } = {}) {
  const events: string[] = [];
  let active = 0;
  let maxActive = 0;
  const sink: MetricsSink = {
    name: 'test',
    async export(data) {
      active++;
      maxActive = Math.max(maxActive, active);
      events.push(`export:${(data as unknown as { n: number }).n}`);
      if (behaviour.delayMs) await sleep(behaviour.delayMs);
      active--;
      return behaviour.fail?.();
    },
    async shutdown() {
      events.push('shutdown');
      return undefined;
    },
  };
  return { sink, events, maxActive: () => maxActive };
}

function scheduler(sink: MetricsSink, intervalMs = 0) {
  let n = 0;
  const failures: string[] = [];
  const s = new PushScheduler({
    sinks: [sink],
    intervalMs,
    collect: async () => ({ n: ++n }) as unknown as ResourceMetrics,
    onFailure: (failed, phase, failure) => failures.push(`${failed.name}:${phase}:${failure.reason}`),
  });
  return { s, failures, collected: () => n };
}

describe('PushScheduler', () => {
  it('pushes on every flush when the interval is 0', async () => {
    const { sink, events } = recordingSink();
    const { s } = scheduler(sink);
    for (let i = 0; i < 3; i++) await s.flush(1000);
    assert.deepEqual(events, ['export:1', 'export:2', 'export:3']);
  });

  it('pushes at most once per interval, and always at shutdown, before the sink shuts down', async () => {
    const { sink, events } = recordingSink();
    const { s } = scheduler(sink, 60_000);
    await s.flush(1000);
    await s.flush(1000);
    await s.flush(1000);
    assert.deepEqual(events, ['export:1']);
    await s.shutdown(1000);
    assert.deepEqual(events, ['export:1', 'export:2', 'shutdown']);
  });

  it('never runs two pushes at once; flushes that arrive during a push share one fresh push', async () => {
    const { sink, events, maxActive } = recordingSink({ delayMs: 40 });
    const { s } = scheduler(sink);
    const first = s.flush(1000);
    await sleep(5); // the first push is now in flight
    await Promise.all([first, s.flush(1000), s.flush(1000), s.flush(1000)]);
    assert.equal(maxActive(), 1);
    assert.deepEqual(events, ['export:1', 'export:2']);
  });

  it('rests a failing sink (one failure reported), but still tries the final push at shutdown', async () => {
    const { sink, events } = recordingSink({ fail: () => ({ reason: 'network', detail: 'ECONNREFUSED' }) });
    const { s, failures } = scheduler(sink);
    await s.flush(1000);
    await s.flush(1000);
    await s.flush(1000);
    assert.deepEqual(events, ['export:1']);
    assert.deepEqual(failures, ['test:push:network']);
    await s.shutdown(1000);
    assert.deepEqual(events, ['export:1', 'export:2', 'shutdown']);
  });

  it('shuts down once, however often it is asked, and ignores flushes afterwards', async () => {
    const { sink, events } = recordingSink();
    const { s } = scheduler(sink);
    await Promise.all([s.shutdown(1000), s.shutdown(1000)]);
    await s.shutdown(1000);
    await s.flush(1000);
    assert.deepEqual(events, ['export:1', 'shutdown']);
  });

  it('does not start a push it has no time to finish', async () => {
    const { sink, events } = recordingSink();
    const { s, collected } = scheduler(sink);
    await s.flush(1);
    assert.deepEqual(events, []);
    assert.equal(collected(), 0);
  });

  it('resolves a flush that waits behind a slow push only when its own push is done', async () => {
    const { sink, events } = recordingSink({ delayMs: 30 });
    const { s } = scheduler(sink);
    const first = s.flush(1000);
    await sleep(5);
    const second = s.flush(1000);
    await second;
    assert.deepEqual(events, ['export:1', 'export:2']);
    await first;
  });
});
