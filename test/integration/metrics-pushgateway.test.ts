/**
 * The metrics push, proven against a real Pushgateway scraped by a real Prometheus.
 *
 * Four execution environments (child processes, each with its own log stream name and so its own
 * Pushgateway instance) invoke a wrapped handler concurrently with successes, errors, timeouts and
 * one cold start each. What a user's PromQL returns must then be exactly what was done. On SIGTERM
 * each environment pushes once more, deletes its group and exits.
 *
 * Then gateways that refuse (400), fail (500), hang or are down: the handler's results are
 * unchanged, one warning is written, and the added latency stays within the flush budget.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMeterPipeline } from '../../src/metrics/provider.ts';
import { recordSummary } from '../../src/metrics/faas-instruments.ts';
import { createPrometheusTextWriter } from '../../src/metrics/prometheus-text.ts';
import { createEnumGauge } from '../../src/metrics/enum-gauge.ts';
import { requireBinaries, startStack, type PrometheusStack } from '../support/prometheus-stack.ts';
import { killWorkers, startWorker, withDeadline, type Worker, type WorkerReport } from './metrics-harness.ts';

const PROMTOOL = '/usr/bin/promtool';

after(killWorkers);

describe('four execution environments pushing to a real Pushgateway, queried in a real Prometheus', () => {
  let stack: PrometheusStack | undefined;
  const job = `orders-it-${randomBytes(3).toString('hex')}`;
  const environments = [0, 1, 2, 3].map((i) => ({
    id: randomBytes(16).toString('hex'),
    invocations: 40 + i * 9,
    errorEvery: 4 + i,
    timeouts: 1,
    state: i === 2 ? 'shadowing' : 'in_use',
  }));
  const workers: Worker[] = [];
  const reports: WorkerReport[] = [];

  before(async () => {
    requireBinaries();
    stack = await startStack();
    for (const e of environments) {
      workers.push(
        startWorker({
          LAMBDA_OBSERVE_PUSHGATEWAY_URL: stack.pushgateway.url,
          LAMBDA_OBSERVE_PUSHGATEWAY_LABELS: 'stage=it',
          OTEL_SERVICE_NAME: job,
          AWS_LAMBDA_LOG_STREAM_NAME: `2026/11/22/[$LATEST]${e.id}`,
          WORKER_INVOCATIONS: String(e.invocations),
          WORKER_ERROR_EVERY: String(e.errorEvery),
          WORKER_TIMEOUTS: String(e.timeouts),
          WORKER_STATE: e.state,
          WORKER_WAIT_FOR_SIGTERM: '1',
        }),
      );
    }
    reports.push(...(await withDeadline(Promise.all(workers.map((w) => w.done)), 60_000, 'the four environments finishing')));
  });

  after(async () => {
    await stack?.stop();
  });

  const prom = () => stack?.prometheus ?? assert.fail('no prometheus');
  const sum = (key: keyof WorkerReport) => reports.reduce((n, r) => n + (r[key] as number), 0);
  const single = async (promql: string, expected: number) => {
    const result = await prom().waitFor(promql, (r) => r.length === 1 && r[0]!.value === expected, 20_000);
    assert.equal(result[0]!.value, expected, promql);
  };

  it('ran every invocation with the handler results unchanged and no warnings', () => {
    assert.equal(reports.length, 4);
    assert.ok(reports.every((r) => r.wrongResults === 0), JSON.stringify(reports.map((r) => r.wrongResults)));
    for (const w of workers) {
      const warnings = w.lines().filter((l) => l.level === 'warn');
      assert.deepEqual(warnings, []);
    }
  });

  it('holds one group per environment, keyed by job, instance and the static label', async () => {
    const groups = (await stack!.pushgateway.groups()).filter((g) => g.labels.job === job);
    assert.deepEqual(groups.map((g) => g.labels.instance).sort(), environments.map((e) => e.id).sort());
    assert.ok(groups.every((g) => g.labels.stage === 'it' && g.lastPushSuccessful));
  });

  it('sums invocations, errors, timeouts and cold starts exactly', async () => {
    const expectedInvocations = environments.reduce((n, e) => n + e.invocations, 0);
    assert.equal(sum('invocations'), expectedInvocations);
    await single(`sum(faas_invocations_total{job="${job}"})`, expectedInvocations);
    await single(`sum(faas_errors_total{job="${job}"})`, sum('errors'));
    await single(`sum(faas_timeouts_total{job="${job}"})`, sum('timeouts'));
    await single(`sum(faas_coldstarts_total{job="${job}"})`, 4);
    await single(`sum(faas_invocations_total{job="${job}",outcome="error"})`, sum('errors'));
    await single(`sum(faas_invoke_duration_seconds_count{job="${job}"})`, expectedInvocations);
    await single(`count(count by (instance) (faas_invocations_total{job="${job}"}))`, 4);
    // The route template, never a raw path, and the trigger.
    const routes = await prom().query(`sum by (http_route, faas_trigger) (faas_invocations_total{job="${job}"})`);
    assert.deepEqual(routes.map((r) => `${r.metric.faas_trigger} ${r.metric.http_route ?? '-'}`).sort(), ['pubsub -', 'http /orders/{id}'].sort());
  });

  it('gives a finite, plausible p99 and p50 from the duration buckets', async () => {
    const p99 = await prom().query(`histogram_quantile(0.99, sum by (le) (faas_invoke_duration_seconds_bucket{job="${job}"}))`);
    const p50 = await prom().query(`histogram_quantile(0.5, sum by (le) (faas_invoke_duration_seconds_bucket{job="${job}"}))`);
    assert.equal(p99.length, 1);
    assert.ok(Number.isFinite(p99[0]!.value) && p99[0]!.value > 0.01 && p99[0]!.value <= 0.25, `p99 ${p99[0]!.value}`);
    assert.ok(Number.isFinite(p50[0]!.value) && p50[0]!.value > 0.001 && p50[0]!.value <= 0.05, `p50 ${p50[0]!.value}`);
  });

  it('shows the enum with exactly one state at 1 per environment', async () => {
    await single(`count(checkout_mode{job="${job}"})`, 12);
    const on = await prom().query(`checkout_mode{job="${job}"} == 1`);
    assert.equal(on.length, 4);
    assert.deepEqual(on.map((s) => s.metric.instance).sort(), environments.map((e) => e.id).sort());
    const byState = await prom().query(`sum by (state) (checkout_mode{job="${job}"})`);
    assert.deepEqual(Object.fromEntries(byState.map((s) => [s.metric.state, s.value])), { in_use: 3, shadowing: 1, disabled: 0 });
  });

  it('carries the user counter created at module scope, and the process gauges', async () => {
    await single(`sum(orders_processed_total{job="${job}"})`, sum('invocations'));
    await single(`count(process_start_time_seconds{job="${job}"})`, 4);
    const rss = await prom().query(`min(process_memory_usage_bytes{job="${job}"})`);
    assert.ok(rss[0]!.value > 10e6, `rss ${rss[0]?.value}`);
    assert.deepEqual(await prom().query(`lambda_observe_push_failures_total{job="${job}"}`), []);
  });

  it('deletes each group when its environment gets SIGTERM, and the environment exits', async () => {
    for (const [i, w] of workers.entries()) {
      w.child.kill('SIGTERM');
      const exit = await withDeadline(w.exited, 5_000, `environment ${i} exiting after SIGTERM`);
      // lambda-observe re-raises SIGTERM once it has shut down (process.exit() can hang under the
      // runtime client). Exiting by the signal alone proves nothing: the deleted group below does.
      assert.ok(exit.signal === 'SIGTERM' || exit.code === 0, JSON.stringify(exit));
      const left = (await stack!.pushgateway.groups()).filter((g) => g.labels.job === job).map((g) => g.labels.instance);
      assert.deepEqual(left.sort(), environments.slice(i + 1).map((e) => e.id).sort());
    }
    for (const w of workers) assert.deepEqual(w.lines().filter((l) => l.level === 'warn'), []);
  });
});

describe('the exposition passes promtool', () => {
  it('promtool check metrics finds no problem in what is pushed', async () => {
    requireBinaries();
    assert.ok(existsSync(PROMTOOL), `${PROMTOOL} is installed with prometheus`);
    const p = createMeterPipeline({ cardinalityLimit: 50 });
    recordSummary(p.faas, { trigger: 'http', outcome: 'error', durationMs: 3, coldStart: true, errorType: 'TypeError', httpRoute: '/a/{b}', httpStatusCode: undefined });
    recordSummary(p.faas, { trigger: 'http', outcome: 'timeout', durationMs: 3000, coldStart: false, errorType: 'timeout', httpRoute: '/a/{b}', httpStatusCode: undefined });
    createEnumGauge('checkout.mode', ['a', 'b'], { meter: p.meter }).set('b');
    p.self.pushFailures.add(1, { exporter: 'pushgateway', reason: 'timeout' });
    const write = await createPrometheusTextWriter({ reservedLabels: ['job', 'instance'], warn: () => {} });
    const text = write((await p.reader.collect()).resourceMetrics);
    const lint = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(lint.status, 0, `${lint.stdout}${lint.stderr}`);
    assert.equal(`${lint.stdout}${lint.stderr}`.trim(), '');
  });
});

describe('a Pushgateway that refuses, fails, hangs or is down', () => {
  const BUDGET_MS = 250;
  /** Scheduling noise on a loaded CI machine, on top of the budget. */
  const SLACK_MS = 120;
  const servers: Server[] = [];

  after(() => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });

  /**
   * A gateway that accepts the first push (the cold invocation, whose latency is lambda-observe's
   * start-up, not the push) and then misbehaves: answers 400 or 500, never answers, or goes away.
   */
  async function badGateway(behaviour: 'refuse' | 'fail' | 'hang' | 'down'): Promise<string> {
    let served = 0;
    const server: Server = createServer((req, res) => {
      req.resume();
      if (++served === 1) {
        res.writeHead(200).end();
        if (behaviour === 'down') res.on('finish', () => setImmediate(() => {
          server.close();
          server.closeAllConnections();
        }));
        return;
      }
      if (behaviour === 'refuse') res.writeHead(400).end('text format parsing error in line 1: invalid metric name');
      else if (behaviour === 'fail') res.writeHead(500).end('internal error');
      // 'hang': never answer.
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const scenarios = [
    { name: 'answers 400', behaviour: 'refuse', reason: 'rejected' },
    { name: 'answers 500', behaviour: 'fail', reason: 'server_error' },
    { name: 'never answers', behaviour: 'hang', reason: 'timeout' },
    { name: 'goes down (connection refused)', behaviour: 'down', reason: 'network' },
  ] as const;

  for (const scenario of scenarios) {
    it(`${scenario.name}: results unchanged, latency within the budget, warned once`, async (t) => {
      const worker = startWorker({
        LAMBDA_OBSERVE_PUSHGATEWAY_URL: await badGateway(scenario.behaviour),
        LAMBDA_OBSERVE_PUSHGATEWAY_AUTH: 'ci-user:ci-secret-value',
        LAMBDA_OBSERVE_FLUSH_TIMEOUT_MS: String(BUDGET_MS),
        OTEL_SERVICE_NAME: 'orders-bad-gateway',
        WORKER_INVOCATIONS: '6',
        WORKER_ERROR_EVERY: '3',
      });
      const report = await withDeadline(worker.done, 30_000, 'the environment finishing');
      // It exits by itself: no socket or timer of ours keeps it alive.
      const exit = await withDeadline(worker.exited, 10_000, 'the environment exiting by itself');
      assert.deepEqual(exit, { code: 0, signal: null });

      assert.equal(report.wrongResults, 0);
      assert.equal(report.invocations, 6);
      t.diagnostic(`added latency per invocation (ms): ${report.addedMs.map((ms) => ms.toFixed(1)).join(', ')}`);
      // From the second (warm) invocation on, the gateway misbehaves: what it costs is the push.
      const maxAdded = Math.max(...report.addedMs.slice(1));
      assert.ok(maxAdded <= BUDGET_MS + SLACK_MS, `max added ${maxAdded.toFixed(1)} ms > budget ${BUDGET_MS} ms + ${SLACK_MS}`);
      if (scenario.behaviour === 'hang') assert.ok(report.addedMs[1]! >= BUDGET_MS - 20, 'the hanging push used the budget');

      const warnings = worker.lines().filter((l) => l.level === 'warn');
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(String(warnings[0]!.message), new RegExp(`push of metrics to pushgateway failed \\(${scenario.reason}\\)`));
      const everything = JSON.stringify(worker.lines());
      assert.ok(!everything.includes('ci-secret-value'), 'the credentials are never logged');
      assert.ok(!everything.includes(Buffer.from('ci-user:ci-secret-value').toString('base64')));
    });
  }
});
