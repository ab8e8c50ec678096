/**
 * The floor of the export path: what the two requests an exporting invocation makes cost with a
 * bare keep-alive client (node:http, nothing else), against the same loopback receivers the
 * benchmark uses — the OTLP receiver of the test suite and the real Pushgateway binary. Whatever
 * lambda-observe's sync flush adds beyond these figures is ours; these figures are not.
 *
 *   node bench/export-floor.ts            ≈ 30 s
 *
 * 1. Capture: an `observe()`-wrapped handler (the benchmark's, every signal on) runs a few
 *    invocations against the OTLP receiver and a capturing stand-in for the Pushgateway, to get
 *    one invocation's real OTLP request body and one real push body.
 * 2. Replay, in a fresh process, with a bare client: the OTLP POST alone, the Pushgateway PUT
 *    alone, a 33-byte PUT, both in parallel (as the flush sends them) and one after the other. Median and p99 latency
 *    per request and the client's CPU per request (process.cpuUsage: user + system).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { summarize } from './lib/stats.ts';
import { EVENT_FILE } from './lib/variants.ts';

const SELF = fileURLToPath(import.meta.url);
const NODE = process.execPath;

if (process.argv[2] === '--replay') {
  await replay(JSON.parse(process.env.FLOOR_INPUT as string) as ReplayInput);
} else if (process.argv[2] === '--capture') {
  await captureChild();
} else {
  await main();
}

interface ReplayInput {
  otlpUrl: string;
  otlpBody: string; // base64
  otlpType: string;
  pushUrl: string;
  pushBody: string;
  rounds: number;
}

async function main(): Promise<void> {
  const { startOtlpReceiver } = await import('../test/support/otlp-receiver.ts');
  const { startPushgateway } = await import('../test/support/prometheus-stack.ts');
  const receiver = await startOtlpReceiver();
  const gateway = await startPushgateway();
  // A stand-in Pushgateway that keeps what it is sent.
  const pushes: Array<{ path: string; body: string }> = [];
  const capture = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'PUT') pushes.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
  const capturePort = (capture.address() as AddressInfo).port;
  try {
    // Not spawnSync: the receivers run in this process's event loop.
    const captured = await run(NODE, [SELF, '--capture'], {
        PATH: process.env.PATH,
        AWS_LAMBDA_FUNCTION_NAME: 'bench-fn',
        AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/22/[$LATEST]0123456789abcdef0123456789abcdef',
        OTEL_SERVICE_NAME: 'bench-fn',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        LAMBDA_OBSERVE_PUSHGATEWAY_URL: `http://127.0.0.1:${capturePort}`,
      BENCH_EVENT: EVENT_FILE,
    });
    if (captured !== 0) throw new Error('capture child failed');
    const otlp = receiver.requests().at(-1);
    const push = pushes.at(-1);
    if (!otlp || !push) throw new Error(`nothing captured: ${receiver.requests().length} OTLP requests, ${pushes.length} pushes`);
    const input: ReplayInput = {
      otlpUrl: `${receiver.url}${otlp.path}`,
      otlpBody: otlp.body.toString('base64'),
      otlpType: otlp.contentType ?? 'application/x-protobuf',
      pushUrl: `${gateway.url}${push.path}`,
      pushBody: push.body,
      rounds: 3000,
    };
    console.log(`captured: OTLP ${otlp.body.length} B (${input.otlpType}), push ${Buffer.byteLength(push.body)} B`);
    const replayed = await run(NODE, [SELF, '--replay'], { PATH: process.env.PATH, FLOOR_INPUT: JSON.stringify(input) }, 'inherit');
    if (replayed !== 0) throw new Error('replay child failed');
  } finally {
    capture.close();
    await Promise.allSettled([receiver.close(), gateway.stop()]);
  }
}

function run(command: string, args: string[], env: Record<string, string | undefined>, stdout: 'ignore' | 'inherit' = 'ignore'): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', stdout, 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}

/** A few invocations of the benchmark's handler, every signal on, sync flush. */
async function captureChild(): Promise<void> {
  process.env.BENCH_LIBRARY = new URL('../src/index.ts', import.meta.url).href;
  process.env.BENCH_OTEL_API = import.meta.resolve('@opentelemetry/api');
  const { readFileSync } = await import('node:fs');
  const { randomUUID } = await import('node:crypto');
  const handlerUrl = new URL('./handlers/observe.mjs', import.meta.url).href;
  const { handler } = (await import(handlerUrl)) as { handler: (e: unknown, c: unknown) => Promise<unknown> };
  const eventText = readFileSync(process.env.BENCH_EVENT as string, 'utf8');
  for (let i = 0; i < 5; i++) {
    const awsRequestId = randomUUID();
    await handler(JSON.parse(eventText), {
      awsRequestId,
      functionName: 'bench-fn',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bench-fn',
      memoryLimitInMB: '1024',
      getRemainingTimeInMillis: () => 30_000,
    });
  }
  process.exit(0);
}

async function replay(input: ReplayInput): Promise<void> {
  const http = process.getBuiltinModule('node:http');
  const agent = new http.Agent({ keepAlive: true });
  const otlpBody = Buffer.from(input.otlpBody, 'base64');
  const send = (url: string, method: string, type: string, body: Buffer | string): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { method, agent, headers: { 'content-type': type, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  const otlp = () => send(input.otlpUrl, 'POST', input.otlpType, otlpBody);
  const push = () => send(input.pushUrl, 'PUT', 'text/plain; version=0.0.4; charset=utf-8', input.pushBody);
  const tiny = () => send(input.pushUrl, 'PUT', 'text/plain; version=0.0.4; charset=utf-8', 'floor_probe{kind="tiny"} 1\n');
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['OTLP POST alone', otlp],
    [`Pushgateway PUT alone (${Buffer.byteLength(input.pushBody)} B)`, push],
    ['Pushgateway PUT alone (33 B)', tiny],
    ['OTLP POST + Pushgateway PUT in parallel', () => Promise.all([otlp(), push()])],
    ['OTLP POST, then Pushgateway PUT', () => otlp().then(push)],
  ];
  console.log('\n| bare keep-alive client, loopback | median µs | p99 µs | client CPU µs |');
  console.log('| :-- | --: | --: | --: |');
  for (const [name, run] of cases) {
    for (let i = 0; i < 200; i++) await run();
    const samples: number[] = [];
    const cpu = process.cpuUsage();
    for (let i = 0; i < input.rounds; i++) {
      const t = performance.now();
      await run();
      samples.push((performance.now() - t) * 1000);
      await new Promise((r) => setImmediate(r));
    }
    const used = process.cpuUsage(cpu);
    const { median, p99 } = summarize(samples);
    console.log(`| ${name} | ${median.toFixed(0)} | ${p99.toFixed(0)} | ${((used.user + used.system) / input.rounds).toFixed(0)} |`);
  }
  agent.destroy();
}
