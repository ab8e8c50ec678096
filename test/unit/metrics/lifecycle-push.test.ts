/**
 * The metrics signal inside the real lifecycle, in-process: `observe()` invocations push to a
 * loopback server standing in for the Pushgateway. What it received is parsed: one PUT per
 * invocation carrying cumulative totals, a user counter created at module scope (before any
 * invocation) included, a failing gateway warned once and counted, and shutdown pushing once more
 * and deleting the group.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Received {
  method: string;
  url: string;
  body: string;
}
const received: Received[] = [];
let answer = 200;
const server: Server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    received.push({ method: req.method!, url: req.url!, body });
    res.writeHead(answer).end(answer === 200 ? '' : 'broken');
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

// Env is read once, on first use: set it before lambda-observe is loaded.
process.env.LAMBDA_OBSERVE_PUSHGATEWAY_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
process.env.OTEL_SERVICE_NAME = 'checkout';
process.env.AWS_LAMBDA_LOG_STREAM_NAME = '2026/11/22/[$LATEST]0f1e2d3c4b5a69788796a5b4c3d2e1f0';
process.env.LAMBDA_OBSERVE_PUSHGATEWAY_LABELS = 'stage=test';
process.env.LAMBDA_OBSERVE_METRICS_CARDINALITY_LIMIT = '10';

const { observe, createEnumGauge } = await import('../../../src/index.ts');
const { shutdownTelemetry } = await import('../../../src/invocation.ts');
const { captureLines } = await import('../../../src/logs/line-writer.ts');
const { metrics } = await import('@opentelemetry/api');

// Module scope, before the first invocation: the way handler modules take their meters.
const orders = metrics.getMeter('shop').createCounter('orders.placed', { description: 'Orders placed' });
const mode = createEnumGauge('checkout.mode', ['in_use', 'disabled']);
const byCustomer = metrics.getMeter('shop').createCounter('orders.by_customer');

const handler = observe(async (event: { fail?: boolean }) => {
  orders.add(1);
  mode.set('in_use');
  if (event.fail) throw new Error('payment declined');
  return { ok: true };
});

const context = (id: string) =>
  ({ awsRequestId: id, functionName: 'checkout', getRemainingTimeInMillis: () => 30_000 }) as unknown as import('aws-lambda').Context;

const lines: string[] = [];
let restore: () => void;
before(() => {
  restore = captureLines((line) => lines.push(line));
});
after(() => {
  restore();
  server.closeAllConnections();
  server.close();
});

/** Sum of the samples of `name` in an exposition body. */
function total(body: string, name: string): number {
  let sum = 0;
  for (const line of body.split('\n')) {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (m) sum += Number(m[1]);
  }
  return sum;
}

const GROUP = '/metrics/job/checkout/instance/0f1e2d3c4b5a69788796a5b4c3d2e1f0/stage/test';

describe('metrics in the lifecycle', () => {
  it('PUTs the environment group after every invocation, with cumulative totals and the user counter', async () => {
    assert.deepEqual(await handler({}, context('a')), { ok: true });
    await assert.rejects(handler({ fail: true }, context('b')), /payment declined/);
    assert.deepEqual(await handler({}, context('c')), { ok: true });

    const puts = received.filter((r) => r.method === 'PUT');
    assert.equal(puts.length, 3);
    assert.ok(puts.every((p) => p.url === GROUP), puts[0]?.url);
    assert.deepEqual(puts.map((p) => total(p.body, 'faas_invocations_total')), [1, 2, 3]);
    assert.deepEqual(puts.map((p) => total(p.body, 'faas_errors_total')), [0, 1, 1]);
    assert.deepEqual(puts.map((p) => total(p.body, 'faas_coldstarts_total')), [1, 1, 1]);
    assert.deepEqual(puts.map((p) => total(p.body, 'orders_placed_total')), [1, 2, 3]);
    assert.match(puts[2]!.body, /^checkout_mode\{state="in_use"\} 1$/m);
    assert.match(puts[2]!.body, /^checkout_mode\{state="disabled"\} 0$/m);
    assert.ok(puts.every((p) => p.body.endsWith('\n')));
  });

  it('survives a failing gateway: same results, one warning, the failure counted in a later push', async () => {
    answer = 500;
    const before = received.length;
    const warningsBefore = lines.length;
    assert.deepEqual(await handler({}, context('d')), { ok: true });
    assert.deepEqual(await handler({}, context('e')), { ok: true });
    // One PUT and its single retry; the second invocation is inside the back-off and does not push.
    assert.equal(received.length - before, 2);
    const warnings = lines.slice(warningsBefore).map((l) => JSON.parse(l)).filter((l) => l.level === 'warn');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /push of metrics to pushgateway failed \(server_error\)/);
    assert.equal(warnings[0].detail, 'HTTP 500: broken');
    assert.ok(!JSON.stringify(warnings[0]).includes('Authorization'));

    answer = 200;
    await new Promise((r) => setTimeout(r, 1_100)); // the back-off ends
    assert.deepEqual(await handler({}, context('f')), { ok: true });
    const last = received.at(-1)!;
    assert.equal(last.method, 'PUT');
    // Nothing was lost: the skipped invocations are in the cumulative totals.
    assert.equal(total(last.body, 'faas_invocations_total'), 6);
    assert.match(last.body, /^lambda_observe_push_failures_total\{exporter="pushgateway",reason="server_error"\} 1$/m);
  });

  it('bounds an instrument at the cardinality limit: totals exact, warned once, flagged in the push', async () => {
    const warningsBefore = lines.length;
    const spammy = observe(async () => {
      for (let i = 0; i < 50; i++) byCustomer.add(1, { customer: `c${i}` });
    });
    await spammy({}, context('g'));
    await spammy({}, context('h'));
    const last = received.at(-1)!;
    const series = last.body.split('\n').filter((l) => l.startsWith('orders_by_customer_total'));
    assert.equal(series.length, 10);
    assert.equal(series.filter((l) => l.includes('otel_metric_overflow="true"')).length, 1);
    assert.equal(total(last.body, 'orders_by_customer_total'), 100);
    assert.match(last.body, /^lambda_observe_metric_cardinality_overflow\{metric="orders.by_customer"\} 1$/m);
    const warnings = lines.slice(warningsBefore).map((l) => JSON.parse(l)).filter((l) => l.level === 'warn');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /orders\.by_customer has more attribute sets than LAMBDA_OBSERVE_METRICS_CARDINALITY_LIMIT/);
  });

  it('pushes once more and deletes the group at shutdown', async () => {
    const before = received.length;
    await shutdownTelemetry(1_000);
    await shutdownTelemetry(1_000);
    assert.deepEqual(
      received.slice(before).map((r) => [r.method, r.url]),
      [
        ['PUT', GROUP],
        ['DELETE', GROUP],
      ],
    );
  });
});
