/**
 * What outgoing-call propagation costs: a handler that makes one loopback call per invocation
 * (global fetch, or node:http), with LAMBDA_OBSERVE_PROPAGATE_HTTP on (headers + CLIENT span) and
 * off. Traces are not exported (OTEL_TRACES_EXPORTER=none) so the difference is the propagation.
 *
 *   node bench/http-propagation.ts [invocations]     (default 3000, after 500 warm-up)
 */
import { execFile } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SELF = fileURLToPath(import.meta.url);
const MEASURED = Number(process.argv[2] === '--child' ? 0 : (process.argv[2] ?? '3000'));

if (process.argv[2] === '--child') {
  const [, , , client, target, count] = process.argv;
  const { observe } = await import('../src/index.ts');
  const { captureLines } = await import('../src/logs/line-writer.ts');
  captureLines(() => {});
  const call =
    client === 'fetch'
      ? async () => (await fetch(target!)).arrayBuffer()
      : () =>
          new Promise<void>((resolve, reject) => {
            const req = request(target!, (res) => {
              res.resume();
              res.on('end', resolve);
            });
            req.on('error', reject);
            req.end();
          });
  const handler = observe(async () => {
    await call();
    return { statusCode: 200, body: 'ok' };
  });
  const event = { resource: '/x', path: '/x', httpMethod: 'GET', headers: {}, requestContext: { resourcePath: '/x', httpMethod: 'GET', stage: 'p', requestId: 'r' } };
  const context = () => ({ awsRequestId: 'r', functionName: 'bench', getRemainingTimeInMillis: () => 30_000 });
  for (let i = 0; i < 500; i++) await handler(event, context() as never);
  const samples: number[] = [];
  for (let i = 0; i < Number(count); i++) {
    const t = performance.now();
    await handler(event, context() as never);
    samples.push((performance.now() - t) * 1000);
  }
  samples.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ meanUs: samples.reduce((s, v) => s + v, 0) / samples.length, p50Us: samples[samples.length >> 1] }));
  process.exit(0);
}

const server = createServer((req, res) => {
  res.end(req.headers.traceparent ? 'traced' : 'plain');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const run = promisify(execFile);

console.log(`Node ${process.version}, ${MEASURED} invocations each making one loopback call\n`);
console.log('| client | propagation | mean µs | p50 µs |');
console.log('|---|---|---|---|');
for (const client of ['fetch', 'node:http']) {
  for (const propagate of ['false', 'true']) {
    const { stdout } = await run(process.execPath, [SELF, '--child', client, target, String(MEASURED)], {
      env: { PATH: process.env.PATH ?? '', AWS_LAMBDA_FUNCTION_NAME: 'bench', OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', LAMBDA_OBSERVE_PROPAGATE_HTTP: propagate },
    });
    const r = JSON.parse(stdout) as { meanUs: number; p50Us: number };
    console.log(`| ${client} | ${propagate === 'true' ? 'on' : 'off'} | ${r.meanUs.toFixed(0)} | ${r.p50Us.toFixed(0)} |`);
  }
}
server.closeAllConnections();
server.close();
