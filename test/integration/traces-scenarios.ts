/**
 * Child process of the traces integration tests (not a test itself): invokes an `observe()`-wrapped
 * handler the way Lambda would, with the exporter configured by the environment the parent set,
 * and prints one `{"test.result": …}` line per scenario next to the library's own stdout lines.
 *
 *   node test/integration/traces-scenarios.ts <scenario>
 *
 * Each scenario is one process because telemetry is built once per execution environment.
 */
// First: it may register the user's own MeterProvider before lambda-observe loads.
import { collectCounter } from './traces-user-meter.ts';
import { request as httpRequest } from 'node:http';
import { writeSync } from 'node:fs';
import { getLogger, observe, withSpan, type ObserveOptions } from '../../src/index.ts';
import { fixtures } from '../fixtures/events/index.ts';

const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders';
const scenario = process.argv[2] ?? '';
const log = getLogger('orders');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function print(record: Record<string, unknown>): void {
  writeSync(1, `${JSON.stringify({ 'test.result': scenario, ...record })}\n`);
}

function lambdaContext(remainingMs = 30_000) {
  const deadline = Date.now() + remainingMs;
  return {
    awsRequestId: crypto.randomUUID(),
    functionName: 'orders',
    functionVersion: '7',
    invokedFunctionArn: ARN,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

function nodeGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Code options, when a test configures through them instead of env. */
const options = process.env.OBSERVE_OPTIONS ? (JSON.parse(process.env.OBSERVE_OPTIONS) as ObserveOptions) : undefined;

const apiHandler = observe(async () => {
  log.info('loading order', { 'order.id': '42' });
  const order = await withSpan('load order', async (span) => {
    span.setAttribute('order.id', '42');
    await sleep(5);
    return { id: '42' };
  });
  try {
    withSpan('charge card', () => {
      throw new TypeError('card declined');
    });
  } catch {
    // The span records it; the handler carries on.
  }
  return { statusCode: 200, body: JSON.stringify(order) };
}, options);

const scenarios: Record<string, () => Promise<void>> = {
  async api() {
    const result = await apiHandler(fixtures.api() as never, lambdaContext() as never);
    print({ result });
  },

  async sqs() {
    const handler = observe(async (event: { Records: unknown[] }) => ({ batchItemFailures: [], count: event.Records.length }), options);
    const result = await handler(fixtures.sqs() as never, lambdaContext() as never);
    print({ result });
  },

  async timeout() {
    const handler = observe(async () => {
      await withSpan('slow call', () => sleep(2500));
      return 'late';
    }, options);
    // 800 ms left and a 500 ms margin: closed as a timeout after ≈ 300 ms, while 'slow call' is open.
    const started = performance.now();
    const result = await handler(fixtures.api() as never, lambdaContext(800) as never);
    print({ result, handlerReturnedAfterMs: performance.now() - started });
  },

  async fetch() {
    const target = process.env.TARGET_URL ?? '';
    // Outside any invocation: must carry nothing of ours.
    await (await fetch(`${target}/outside`)).text();
    const handler = observe(async () => {
      const viaFetch = await withSpan('call inventory', async () => (await fetch(`${target}/fetch?token=secret`)).status);
      const viaHttp = await nodeGet(`${target}/http`);
      return { statusCode: 200, body: JSON.stringify({ viaFetch, viaHttp }) };
    });
    const result = await handler(fixtures.api() as never, lambdaContext() as never);
    print({ result });
  },

  async failures() {
    const invocations = Number(process.env.INVOCATIONS ?? '4');
    const durations: number[] = [];
    const results: unknown[] = [];
    for (let i = 0; i < invocations; i++) {
      const started = performance.now();
      results.push(await apiHandler(fixtures.api() as never, lambdaContext() as never));
      durations.push(performance.now() - started);
    }
    print({ durations, results, dropped: await collectCounter('lambda_observe.spans_dropped', 'reason') });
  },
};

const run = scenarios[scenario];
if (!run) {
  process.stderr.write(`unknown scenario ${scenario}\n`);
  process.exit(2);
}
await run();
// A blackholed exporter request would hold the process open; Lambda would freeze it instead.
process.exit(0);
