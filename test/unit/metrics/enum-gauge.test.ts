/** The enum helper: exactly one state at 1 per attribute set, checked where it is created, forgiving where it is set. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMeterPipeline } from '../../../src/metrics/provider.ts';
import { createEnumGauge } from '../../../src/metrics/enum-gauge.ts';
import { setMetricsWarn } from '../../../src/metrics/warn.ts';

async function points(pipeline: ReturnType<typeof createMeterPipeline>, name: string) {
  const { resourceMetrics } = await pipeline.reader.collect();
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []).map((p): Record<string, unknown> => ({ ...p.attributes, value: p.value }));
}

describe('createEnumGauge', () => {
  it('reports every state, exactly one at 1, per attribute set', async () => {
    const p = createMeterPipeline({ cardinalityLimit: 100 });
    const g = createEnumGauge('breaker', ['closed', 'open', 'half_open'], { meter: p.meter, label: 'breaker.state' });
    assert.deepEqual(await points(p, 'breaker'), [], 'no series before the first set()');
    g.set('open', { dependency: 'payments' });
    g.set('closed', { dependency: 'stock' });
    g.set('half_open', { dependency: 'payments' });
    const all = await points(p, 'breaker');
    assert.equal(all.length, 6);
    for (const dependency of ['payments', 'stock']) {
      const on = all.filter((x) => x.dependency === dependency && x.value === 1);
      assert.equal(on.length, 1, dependency);
    }
    assert.equal(all.find((x) => x.dependency === 'payments' && x.value === 1)?.['breaker.state'], 'half_open');
  });

  it('starts in the initial state when given one', async () => {
    const p = createMeterPipeline({ cardinalityLimit: 100 });
    createEnumGauge('mode', ['on', 'off'], { meter: p.meter, initial: 'off' });
    assert.deepEqual(
      (await points(p, 'mode')).map((x) => [x.state, x.value]),
      [
        ['on', 0],
        ['off', 1],
      ],
    );
  });

  it('ignores an unknown state with a warning (one key) and keeps the current one', async () => {
    const warnings: string[] = [];
    setMetricsWarn((key) => warnings.push(key));
    const p = createMeterPipeline({ cardinalityLimit: 100 });
    const g = createEnumGauge('mode', ['on', 'off'], { meter: p.meter });
    g.set('on');
    g.set('sideways' as 'on');
    g.set('sideways' as 'on');
    assert.deepEqual([...new Set(warnings)], ['enum:mode:unknown'], "one key: the lifecycle's warn-once writes it once");
    assert.deepEqual((await points(p, 'mode')).filter((x) => x.value === 1).map((x) => x.state), ['on']);
  });

  it('throws at creation for a bad definition', () => {
    assert.throws(() => createEnumGauge('x', []), TypeError);
    assert.throws(() => createEnumGauge('x', ['a', 'a']), /repeated/);
    assert.throws(() => createEnumGauge('x', ['a', '']), TypeError);
    assert.throws(() => createEnumGauge('x', ['a'], { label: 'bad label' }), /label/);
    assert.throws(() => createEnumGauge('x', ['a'], { initial: 'b' as 'a' }), /initial/);
  });
});
