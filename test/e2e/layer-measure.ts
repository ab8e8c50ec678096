// Measures what the layer costs under the emulator and the real runtime client (not a test; run
// `node test/e2e/layer-measure.ts [runs]`, numbers go to docs/layer.md):
//   - init duration (start → runtime and extensions waiting on `next`): raw handler, raw handler +
//     the layer's extension only, zero-code wrapping with exporters off / on / async;
//   - response latency (invoke → response) and settle time (invoke → frozen, what Lambda bills) of
//     warm invocations, sync vs async flush, with loopback sinks and with sinks 50 ms away;
//   - the extension process's memory.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEnvironment, type EnvironmentOptions, type LambdaEnvironment } from '../support/lambda-emulator.ts';
import { ensureLambdaRuntime, findNode22 } from '../support/lambda-runtime-install.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import { startPushgateway } from '../support/prometheus-stack.ts';
import { functionCode, nodePathHook, recordingProxy, unpackedLayer } from './layer-fixture.ts';

const runs = Number(process.argv[2] ?? 15);
const ric = await ensureLambdaRuntime();
const node = findNode22().bin;
const work = await mkdtemp(join(tmpdir(), 'lambda-observe-measure-'));
const { opt, report } = await unpackedLayer(work);
const taskRoot = await functionCode(join(work, 'task'));
const receiver = await startOtlpReceiver();
const pushgateway = await startPushgateway();
const slowOtlp = await recordingProxy(receiver.url, 50);
const slowPush = await recordingProxy(pushgateway.url, 50);
// /opt with only the extension: what the extension alone adds to init.
const extensionOnly = join(work, 'opt-extension-only');
{
  const { extractZip, readZip, createZip } = await import('../../infra/zip.ts');
  const entries = readZip(await readFile(report.outFile)).filter((e) => !e.directory && e.path !== 'lambda-observe-wrapper');
  await extractZip(createZip(entries), extensionOnly);
}

type Variant = { name: string; options: Partial<EnvironmentOptions> };
const sinks = (slow: boolean) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: slow ? slowOtlp.url : receiver.url,
  LAMBDA_OBSERVE_PUSHGATEWAY_URL: slow ? slowPush.url : pushgateway.url,
});
const layered = (env: Record<string, string>): Partial<EnvironmentOptions> => ({ optDir: opt, execWrapper: join(opt, 'lambda-observe-wrapper'), env });

const initVariants: Variant[] = [
  { name: 'raw handler (no layer)', options: {} },
  { name: 'raw handler + the layer\'s extension only', options: { optDir: extensionOnly } },
  { name: 'layer, zero-code, exporters off', options: layered({}) },
  { name: 'layer, zero-code, OTLP + Pushgateway, sync', options: layered({ ...sinks(false), LAMBDA_OBSERVE_FLUSH_MODE: 'sync' }) },
  { name: 'layer, zero-code, OTLP + Pushgateway, async', options: layered({ ...sinks(false), LAMBDA_OBSERVE_FLUSH_MODE: 'async' }) },
];

async function start(options: Partial<EnvironmentOptions>): Promise<LambdaEnvironment> {
  return startEnvironment({ command: [node, '--import', nodePathHook, ric], handler: 'nightly-report.handler', taskRoot, ...options });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function p90(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))] ?? NaN;
}

const event = { time: '2026-11-22T03:00:00Z', simulateDelayMs: 0 };
const lines: string[] = [];
lines.push(`Layer: zipped ${(report.zippedBytes / 1000).toFixed(1)} KB, unzipped ${(report.unzippedBytes / 1000).toFixed(1)} KB; cold start loads ${(report.coldStartBytes.handler / 1000).toFixed(1)} KB minified; extension ${(report.coldStartBytes.extension / 1000).toFixed(1)} KB`);
lines.push('', `Init duration, ${runs} cold starts each (ms):`, '', '| variant | median | p90 | first invocation, median |', '|---|---:|---:|---:|');
for (const variant of initVariants) {
  const inits: number[] = [];
  const firsts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const environment = await start({ ...variant.options, functionName: `measure-${i}` });
    inits.push(environment.initDurationMs ?? NaN);
    firsts.push((await environment.invoke(event)).durationMs);
    await environment.shutdown();
  }
  lines.push(`| ${variant.name} | ${median(inits)} | ${p90(inits)} | ${median(firsts)} |`);
}

const invokeVariants: Variant[] = [
  { name: 'raw handler', options: {} },
  { name: 'layer, sync, loopback sinks', options: layered({ ...sinks(false), LAMBDA_OBSERVE_FLUSH_MODE: 'sync' }) },
  { name: 'layer, async, loopback sinks', options: layered({ ...sinks(false), LAMBDA_OBSERVE_FLUSH_MODE: 'async' }) },
  { name: 'layer, sync, sinks 50 ms away', options: layered({ ...sinks(true), LAMBDA_OBSERVE_FLUSH_MODE: 'sync' }) },
  { name: 'layer, async, sinks 50 ms away', options: layered({ ...sinks(true), LAMBDA_OBSERVE_FLUSH_MODE: 'async' }) },
];
const warm = runs * 2;
lines.push('', `Warm invocations, ${warm} each (ms): response = invoke → response; settled = invoke → runtime and extension back in next (frozen; billed)`, '');
lines.push('| variant | response median | response p90 | settled median | settled p90 |', '|---|---:|---:|---:|---:|');
let extensionRssKb: number | undefined;
for (const variant of invokeVariants) {
  const environment = await start({ ...variant.options, functionName: 'measure-warm' });
  await environment.invoke(event);
  const responses: number[] = [];
  const settled: number[] = [];
  for (let i = 0; i < warm; i++) {
    const result = await environment.invoke(event);
    responses.push(result.durationMs);
    settled.push(result.settledMs ?? NaN);
  }
  const extensionPid = environment.extensionPids['lambda-observe'];
  if (extensionPid && extensionRssKb === undefined) {
    const status = await readFile(`/proc/${extensionPid}/status`, 'utf8').catch(() => '');
    extensionRssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  }
  await environment.shutdown();
  lines.push(`| ${variant.name} | ${median(responses)} | ${p90(responses)} | ${median(settled)} | ${p90(settled)} |`);
}
lines.push('', `Extension process RSS: ${extensionRssKb ?? '?'} kB`);
console.log(lines.join('\n'));

await Promise.all([slowOtlp.close(), slowPush.close(), receiver.close(), pushgateway.stop()]);
await rm(work, { recursive: true, force: true });
