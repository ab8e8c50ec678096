// Proves the real-server harness and pins down the Pushgateway behaviour our
// metrics pusher must respect. If a Pushgateway upgrade changes any of this,
// these tests say so before users do.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startPrometheus, startPushgateway, requireBinaries } from '../support/prometheus-stack.ts';
import type { Prometheus, Pushgateway } from '../support/prometheus-stack.ts';

const counter = (value: number, help = 'A test counter.'): string =>
  `# HELP test_counter_total ${help}\n# TYPE test_counter_total counter\ntest_counter_total ${value}\n`;

const groupKey = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

describe('real Pushgateway scraped by real Prometheus', () => {
  let pushgateway: Pushgateway | undefined;
  let prometheus: Prometheus | undefined;
  const pg = (): Pushgateway => pushgateway ?? assert.fail('pushgateway did not start');
  const prom = (): Prometheus => prometheus ?? assert.fail('prometheus did not start');

  before(async () => {
    requireBinaries();
    pushgateway = await startPushgateway();
    prometheus = await startPrometheus(pushgateway.url);
  });

  after(async () => {
    await prometheus?.stop();
    await pushgateway?.stop();
  });

  beforeEach(async () => {
    await pushgateway?.wipe();
  });

  it('starts both servers on loopback', (t) => {
    assert.match(pg().url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(prom().url, /^http:\/\/127\.0\.0\.1:\d+$/);
    t.diagnostic(`pushgateway ready in ${pg().startupMs} ms, prometheus ready in ${prom().startupMs} ms`);
  });

  it('Prometheus sums a counter pushed to two groups (PUT and POST)', async (t) => {
    const put = await pg().request('PUT', '/metrics/job/j1/instance/i1', counter(3));
    assert.equal(put.status, 200, put.body);
    const post = await pg().request('POST', '/metrics/job/j1/instance/i2', counter(4));
    assert.equal(post.status, 200, post.body);

    const result = await prom().waitFor(
      'sum(test_counter_total{job="j1"})',
      (r) => r.length === 1 && r[0]?.value === 7,
      20_000,
    );
    assert.deepEqual(result, [{ metric: {}, value: 7 }]);
    t.diagnostic(`sum queryable ${Math.round(performance.now() - prom().startedAt)} ms after prometheus was spawned`);

    // honor_labels: the pushed job/instance survive, not the scrape target's.
    const series = await prom().query('test_counter_total{job="j1"}');
    assert.deepEqual(series.map((s) => s.metric.instance).sort(), ['i1', 'i2']);
    assert.ok(series.every((s) => s.metric.job === 'j1'));
  });

  it('answers 400 to a body without a final newline and stores nothing', async () => {
    const res = await pg().request('PUT', '/metrics/job/j1/instance/i1', counter(1).trimEnd());
    assert.equal(res.status, 400);
    assert.match(res.body, /unexpected end of input stream/);
    assert.deepEqual(await pg().groups(), []);
  });

  it('answers 400 to a sample with a timestamp', async () => {
    const res = await pg().request('PUT', '/metrics/job/j1/instance/i1', `test_counter_total 1 1700000000000\n`);
    assert.equal(res.status, 400);
    assert.match(res.body, /must not have timestamps/);
  });

  it('answers 400 to the same metric name with another TYPE in another group', async () => {
    assert.equal((await pg().request('PUT', '/metrics/job/j1/instance/i1', counter(1))).status, 200);

    const gauge = '# TYPE test_counter_total gauge\ntest_counter_total 5\n';
    const res = await pg().request('PUT', '/metrics/job/j2/instance/i1', gauge);
    assert.equal(res.status, 400);
    // Which of the two it names depends on the Pushgateway's map order: either way it is the clash.
    assert.match(res.body, /test_counter_total.* is not a (COUNTER|GAUGE)/);

    // The rejected push still creates its group, marked failed, with
    // push_time_seconds 0: a dashboard can see the failure.
    const failed = (await pg().groups()).find((g) => g.labels.job === 'j2');
    assert.ok(failed, 'a rejected push leaves a group behind');
    assert.equal(failed.lastPushSuccessful, false);
    assert.deepEqual(failed.metrics, ['push_failure_time_seconds', 'push_time_seconds']);
    assert.equal(failed.families.push_time_seconds?.metrics[0]?.value, '0');
  });

  it('adds push_time_seconds to every group', async () => {
    const before = Date.now() / 1000;
    await pg().request('PUT', '/metrics/job/j1/instance/i1', counter(1));
    await pg().request('POST', '/metrics/job/j1/instance/i2', counter(2));

    const groups = await pg().groups();
    assert.deepEqual(groups.map((g) => groupKey(g.labels)).sort(), ['instance=i1,job=j1', 'instance=i2,job=j1']);
    for (const group of groups) {
      assert.ok(group.metrics.includes('push_time_seconds'), groupKey(group.labels));
      const pushed = Number(group.families.push_time_seconds?.metrics[0]?.value);
      assert.ok(pushed >= before - 1 && pushed <= Date.now() / 1000 + 1, `push_time_seconds=${pushed}`);
    }
    const text = await pg().metricsText();
    assert.match(text, /^push_time_seconds\{instance="i1",job="j1"\} /m);
    assert.match(text, /^push_time_seconds\{instance="i2",job="j1"\} /m);
  });

  it('PUT replaces the whole group; POST replaces only the metrics it names', async () => {
    const other = '# TYPE other_gauge gauge\nother_gauge 1\n';
    await pg().request('PUT', '/metrics/job/j1/instance/i1', counter(1) + other);
    await pg().request('POST', '/metrics/job/j1/instance/i1', counter(2));
    let [group] = await pg().groups();
    assert.deepEqual(group?.metrics, ['other_gauge', 'push_failure_time_seconds', 'push_time_seconds', 'test_counter_total']);
    assert.equal(group?.families.test_counter_total?.metrics[0]?.value, '2');

    await pg().request('PUT', '/metrics/job/j1/instance/i1', counter(3));
    [group] = await pg().groups();
    assert.deepEqual(group?.metrics, ['push_failure_time_seconds', 'push_time_seconds', 'test_counter_total']);
  });

  it('DELETE removes the group', async () => {
    await pg().request('PUT', '/metrics/job/j1/instance/i1', counter(1));
    await pg().request('PUT', '/metrics/job/j1/instance/i2', counter(2));

    const res = await pg().request('DELETE', '/metrics/job/j1/instance/i1');
    assert.equal(res.status, 202);
    assert.deepEqual((await pg().groups()).map((g) => groupKey(g.labels)), ['instance=i2,job=j1']);
  });

  it('wipe() removes every group', async () => {
    await pg().request('PUT', '/metrics/job/j1/instance/i1', counter(1));
    await pg().wipe();
    assert.deepEqual(await pg().groups(), []);
  });
});
