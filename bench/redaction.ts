/**
 * The cost of redaction on log lines: builds the same lines with redaction on and off and prints
 * ns/line for each. Run: `node bench/redaction.ts` (Node 22; add `--quick` for a short run).
 *
 * Lines are built with `buildLogLine` (envelope + sanitize + redact + JSON.stringify), which is all
 * a log call does besides the synchronous write; the write is left out so the numbers are not
 * dominated by the terminal or pipe.
 */
import type { InvocationState } from '../src/context.ts';
import { buildLogLine } from '../src/logs/emit.ts';
import { configureRedaction } from '../src/redact/redact.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 7;
const LINES_PER_ROUND = quick ? 50_000 : 200_000;

const state: InvocationState = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  invocationId: 'c4b1f9a2-6d3e-4f7a-9b21-3e8d5a7c1f40',
  requestId: 'req-rest-123',
  serviceName: 'orders',
  coldStart: false,
  trigger: 'http',
  startedAt: 0,
  fields: {},
  logCounts: { error: 0, warn: 0, info: 0, debug: 0 },
  openSpans: new Set(),
  debugBuffer: undefined,
  debugBufferBytes: 0,
  closed: false,
};

interface Case {
  readonly name: string;
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
}

const CASES: Case[] = [
  { name: 'message only', message: 'cache warmed', fields: undefined },
  {
    name: 'typical (6 fields, nested)',
    message: 'order placed',
    fields: {
      order_id: 'ord_8f3a2c91',
      amount_cents: 1299,
      currency: 'EUR',
      customer: { id: 'cus_4411', tier: 'gold' },
      items: 3,
      'http.route': '/orders/{id}',
    },
  },
  {
    name: 'with a timestamp and a URL',
    message: 'upstream answered 200 in 41 ms',
    fields: { at: '2026-11-22T10:15:30.123Z', 'url.full': 'https://api.example.com/v1/orders/42?expand=items', status: 200 },
  },
  {
    name: 'holding secrets',
    message: 'calling payments with Authorization: Bearer sk_live_0123456789abcdefABCDEF',
    fields: { password: 'hunter2', user: { email: 'a@example.com', api_key: 'k-123' }, card: '4111 1111 1111 1111' },
  },
];

function measure(c: Case): number {
  let sink = 0;
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // CPU time, not wall time: on a shared machine it is far less disturbed by other processes.
    const started = process.cpuUsage();
    for (let i = 0; i < LINES_PER_ROUND; i++) sink += buildLogLine('info', 'orders', c.message, c.fields, state).length;
    const used = process.cpuUsage(started);
    samples.push(((used.user + used.system) * 1000) / LINES_PER_ROUND);
  }
  if (sink === 0) throw new Error('unreachable');
  // The fastest round is the one least disturbed; it is also the most repeatable statistic.
  return Math.min(...samples);
}

// Warm both paths up before measuring either, so JIT tiers are comparable.
for (const c of CASES) {
  configureRedaction({});
  for (let i = 0; i < 20_000; i++) buildLogLine('info', 'orders', c.message, c.fields, state);
  configureRedaction(false);
  for (let i = 0; i < 20_000; i++) buildLogLine('info', 'orders', c.message, c.fields, state);
}

const rows: string[] = ['| line | redaction off (ns/line) | redaction on (ns/line) | added (ns) |', '|---|---:|---:|---:|'];
for (const c of CASES) {
  configureRedaction(false);
  const off = measure(c);
  configureRedaction({});
  const on = measure(c);
  rows.push(`| ${c.name} | ${off.toFixed(0)} | ${on.toFixed(0)} | ${(on - off).toFixed(0)} |`);
}
process.stdout.write(`Node ${process.version}, CPU time, best of ${ROUNDS} rounds × ${LINES_PER_ROUND} lines\n\n${rows.join('\n')}\n`);
