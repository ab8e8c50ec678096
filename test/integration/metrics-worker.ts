/**
 * One simulated Lambda execution environment for the metrics integration tests (a child process
 * per environment). It invokes an `observe()`-wrapped handler WORKER_INVOCATIONS times in a row, as
 * Lambda does within one environment: HTTP and SQS events, every WORKER_ERROR_EVERY-th one
 * throwing, WORKER_TIMEOUTS of them running past the deadline; the first is the cold start.
 *
 * It prints one line `{"worker":"done",…}` with what it did, then either exits by itself or, with
 * WORKER_WAIT_FOR_SIGTERM=1, stays up until SIGTERM (lambda-observe's hook pushes, deletes the
 * group and exits). Configuration comes from the environment, like a real function's.
 */
import { writeSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { metrics } from '@opentelemetry/api';
import { createEnumGauge, observe } from '../../src/index.ts';
import { fixtures } from '../fixtures/events/index.ts';

const invocations = Number(process.env.WORKER_INVOCATIONS ?? 10);
const errorEvery = Number(process.env.WORKER_ERROR_EVERY ?? 0);
const timeouts = Number(process.env.WORKER_TIMEOUTS ?? 0);
const state = process.env.WORKER_STATE ?? 'in_use';

// At module scope, before any invocation, as handler modules do.
const processed = metrics.getMeter('orders-service').createCounter('orders.processed', { description: 'Orders processed' });
const checkout = createEnumGauge('checkout.mode', ['in_use', 'disabled', 'shadowing'], { description: 'How the new checkout runs' });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let handlerMs = 0;

interface Work {
  fail?: boolean;
  sleepMs: number;
}

const handler = observe(async (event: unknown, context: Context) => {
  const started = performance.now();
  const work = (context as unknown as { work: Work }).work;
  try {
    processed.add(1, { channel: Array.isArray((event as { Records?: unknown }).Records) ? 'queue' : 'web' });
    checkout.set(state as 'in_use');
    await sleep(work.sleepMs);
    if (work.fail) throw new TypeError('order rejected');
    return { statusCode: 200, body: '{"ok":true}' };
  } finally {
    handlerMs = performance.now() - started;
  }
});

const counts = { invocations: 0, errors: 0, timeouts: 0, wrongResults: 0 };
const addedMs: number[] = [];
for (let i = 0; i < invocations; i++) {
  const isTimeout = i >= 1 && i <= timeouts; // never the cold start
  const fail = !isTimeout && errorEvery > 0 && i % errorEvery === errorEvery - 1;
  // A deadline 600 ms away: with the default 500 ms margin the invocation is closed as a timeout at 100 ms.
  const deadline = Date.now() + (isTimeout ? 600 : 30_000);
  const context = {
    awsRequestId: `req-${i}`,
    functionName: 'orders',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    work: { fail, sleepMs: isTimeout ? 150 : 1 + (i % 7) * 3 },
  } as unknown as Context;
  const event = i % 3 === 0 ? fixtures.sqs() : fixtures.api();
  const started = performance.now();
  try {
    const result = (await handler(event, context)) as { statusCode?: number };
    if (fail || result?.statusCode !== 200) counts.wrongResults++;
  } catch (error) {
    if (!fail || !(error instanceof TypeError) || error.message !== 'order rejected') counts.wrongResults++;
  }
  addedMs.push(performance.now() - started - handlerMs);
  counts.invocations++;
  if (fail) counts.errors++;
  if (isTimeout) counts.timeouts++;
}

// Let pending pushes settle (the OTLP exporter's are not awaited past the flush budget) before reporting what was loaded.
await sleep(Number(process.env.WORKER_SETTLE_MS ?? 0));
const resolved = (globalThis as { __resolvedSpecifiers?: string[] }).__resolvedSpecifiers;
writeSync(1, `${JSON.stringify({ worker: 'done', ...counts, coldstarts: 1, addedMs, resolved })}\n`);

if (process.env.WORKER_WAIT_FOR_SIGTERM === '1') {
  // Stay up like an idle environment until Lambda shuts it down.
  setInterval(() => {}, 60_000);
}
