/**
 * What the traces signal costs, per exporter: at cold start (importing lambda-observe and wrapping
 * the handler, then the first invocation) and per warm invocation (span + flush + export to a
 * loopback sink that answers like the real backend).
 *
 *   node bench/traces-cost.ts            ≈ 90 s
 *   node bench/traces-cost.ts --quick    ≈ 30 s
 *   node bench/traces-cost.ts --src      against src/ through type stripping instead of dist/
 *
 * Each variant runs in fresh child processes (telemetry is built once per environment); cold
 * figures are medians over several processes. "first (no gap)" invokes right after init, like an
 * on-demand cold start; "first (after 300 ms)" leaves the event loop idle first, like provisioned
 * concurrency or a proactive init, so the exporter preload started at init has finished.
 * Metrics are off and log lines are captured (not written) in every variant, so the difference
 * between rows is the traces signal. Prints a markdown table.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(dirname(SELF), '..');
const quick = process.argv.includes('--quick');
const COLD_RUNS = quick ? 5 : 11;
const WARMUP = quick ? 200 : 500;
const MEASURED = quick ? 1_000 : 3_000;

interface ChildResult {
  importMs: number;
  initMs: number;
  firstMs: number;
  warm: { meanUs: number; p50Us: number; p99Us: number } | undefined;
  spansReceived?: number;
}

// ─── child: one environment ─────────────────────────────────────────────────────────────────────
if (process.argv[2] === '--child') {
  const [, , , raw, gapMs, warmArg] = process.argv;
  const t0 = performance.now();
  const handlerBody = async () => ({ statusCode: 200, body: 'ok' });
  let handler: (event: unknown, context: unknown) => Promise<unknown> = handlerBody;
  let importMs = 0;
  if (raw !== 'raw') {
    const entry = process.env.LO_ENTRY!;
    const { observe } = (await import(entry)) as typeof import('../src/index.ts');
    importMs = performance.now() - t0;
    const lineWriter = new URL(`logs/line-writer.${entry.endsWith('.ts') ? 'ts' : 'js'}`, entry).href;
    const { captureLines } = (await import(lineWriter)) as typeof import('../src/logs/line-writer.ts');
    captureLines(() => {});
    handler = observe(handlerBody) as never;
  }
  const initMs = performance.now() - t0;
  const event = {
    resource: '/orders/{id}',
    path: '/orders/42',
    httpMethod: 'GET',
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    requestContext: { resourcePath: '/orders/{id}', httpMethod: 'GET', stage: 'prod', requestId: 'r' },
  };
  let n = 0;
  const context = () => {
    const deadline = Date.now() + 30_000;
    return { awsRequestId: `req-${n++}`, functionName: 'bench', getRemainingTimeInMillis: () => deadline - Date.now() };
  };
  if (Number(gapMs) > 0) await new Promise((resolve) => setTimeout(resolve, Number(gapMs)));
  let t = performance.now();
  await handler(event, context());
  const firstMs = performance.now() - t;
  let warm: ChildResult['warm'];
  if (warmArg === 'warm') {
    for (let i = 0; i < WARMUP; i++) await handler(event, context());
    const samples: number[] = [];
    for (let i = 0; i < MEASURED; i++) {
      t = performance.now();
      await handler(event, context());
      samples.push((performance.now() - t) * 1000);
    }
    samples.sort((a, b) => a - b);
    warm = {
      meanUs: samples.reduce((s, v) => s + v, 0) / samples.length,
      p50Us: samples[Math.floor(samples.length / 2)]!,
      p99Us: samples[Math.floor(samples.length * 0.99)]!,
    };
  }
  const result: ChildResult = { importMs, initMs, firstMs, warm };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

// ─── parent ─────────────────────────────────────────────────────────────────────────────────────
let entry = pathToFileURL(join(ROOT, 'src/index.ts')).href;
if (!process.argv.includes('--src')) {
  // What users run: the package as `npm run build` builds it (type stripping would add itself to every cold start).
  const { buildPackage } = await import('./lib/build.ts');
  const { DIST_ENTRY } = await import('./lib/variants.ts');
  buildPackage();
  entry = pathToFileURL(DIST_ENTRY).href;
}
/** A sink answering like Jaeger's OTLP receiver (200 + empty response) or Zipkin (202), counting spans roughly by requests. */
async function startSink(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      if (req.url?.startsWith('/api/v2/spans')) {
        res.writeHead(202).end();
      } else if (req.headers['content-type'] === 'application/x-protobuf') {
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests: () => requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const sink = await startSink();
const base = {
  PATH: process.env.PATH ?? '',
  LO_ENTRY: entry,
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_REGION: 'eu-west-1',
  OTEL_METRICS_EXPORTER: 'none',
};
const variants: Array<{ name: string; env: Record<string, string>; raw?: boolean }> = [
  { name: 'raw handler (no lambda-observe)', env: {}, raw: true },
  { name: 'traces off (OTEL_TRACES_EXPORTER=none)', env: { OTEL_TRACES_EXPORTER: 'none' } },
  { name: 'console', env: { OTEL_TRACES_EXPORTER: 'console' } },
  { name: 'otlp http/protobuf', env: { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sink.url}/v1/traces` } },
  {
    name: 'otlp http/protobuf + gzip',
    env: { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sink.url}/v1/traces`, OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' },
  },
  {
    name: 'otlp http/json',
    env: { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sink.url}/v1/traces`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
  },
  { name: 'zipkin', env: { OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${sink.url}/api/v2/spans` } },
];

const execFileAsync = promisify(execFile);

/** Asynchronous on purpose: the sink lives in this process and must keep answering. */
async function child(variant: (typeof variants)[number], gapMs: number, warm: boolean): Promise<ChildResult> {
  const out = await execFileAsync(process.execPath, [SELF, '--child', variant.raw ? 'raw' : 'lo', String(gapMs), warm ? 'warm' : 'cold'], {
    env: { ...base, ...variant.env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const line = out.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as ChildResult;
  } catch {
    throw new Error(`child failed (${variant.name}): ${out.stderr || out.stdout}`);
  }
}

async function repeat(times: number, run: () => Promise<ChildResult>): Promise<ChildResult[]> {
  const results: ChildResult[] = [];
  for (let i = 0; i < times; i++) results.push(await run());
  return results;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (v: number) => v.toFixed(1);

const rows: string[] = [];
for (const variant of variants) {
  const cold = await repeat(COLD_RUNS, () => child(variant, 0, false));
  const gapped = await repeat(COLD_RUNS, () => child(variant, 300, false));
  const before = sink.requests();
  const warm = (await child(variant, 0, true)).warm!;
  const exported = sink.requests() - before;
  rows.push(
    `| ${variant.name} | ${fmt(median(cold.map((r) => r.importMs)))} | ${fmt(median(cold.map((r) => r.initMs)))} | ` +
      `${fmt(median(cold.map((r) => r.firstMs)))} | ${fmt(median(gapped.map((r) => r.firstMs)))} | ` +
      `${warm.meanUs.toFixed(0)} | ${warm.p50Us.toFixed(0)} | ${warm.p99Us.toFixed(0)} | ${exported} |`,
  );
  process.stderr.write(`${variant.name} done\n`);
}
await sink.close();

console.log(`Node ${process.version}, ${entry.endsWith('.ts') ? 'src/ (type stripping)' : 'dist/'}, ${COLD_RUNS} processes per cold figure (median), ${MEASURED} warm invocations after ${WARMUP} warm-up.\n`);
console.log('| variant | import ms | init ms (import + observe) | first invocation ms (no gap) | first invocation ms (after 300 ms) | warm mean µs | warm p50 µs | warm p99 µs | requests to sink |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
