/**
 * Cold-start cost of @opentelemetry/sdk-node against the parts lambda-observe's traces signal is
 * built from (api, core, resources, sdk-trace, one exporter loaded when selected).
 *
 *   node bench/sdk-node-vs-parts.ts [runs]          (default 15 processes per variant)
 *
 * Each variant is a fresh `node` process that imports its modules (ESM, as lambda-observe does)
 * and sets up a tracer provider with an OTLP exporter, without sending anything; the figure is
 * the median over the processes of import + setup time, and of the RSS added. The OTel packages
 * come from this repository's node_modules; sdk-node is not a dependency of the project, so it is
 * looked up in $SDK_NODE_DIR, bench/node_modules or node_modules (install it into a scratch
 * directory with `npm install --prefix /tmp/sdk-node @opentelemetry/sdk-node@0.301.0` and set
 * SDK_NODE_DIR=/tmp/sdk-node); without it those rows are skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.argv[2] ?? '15');

/** The code each child evaluates (ESM, bare specifiers resolved from its working directory). */
const BODY = {
  baseline: '',
  'parts: api+core+resources+sdk-trace (traces off)': `
    const { TracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace');
    const { resourceFromAttributes } = await import('@opentelemetry/resources');
    await import('@opentelemetry/core');
    const api = await import('@opentelemetry/api');
    const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'x' }) });
    api.trace.setGlobalTracerProvider(provider);`,
  'parts + exporter-trace-otlp-proto': `
    const { TracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace');
    const { resourceFromAttributes } = await import('@opentelemetry/resources');
    await import('@opentelemetry/core');
    const api = await import('@opentelemetry/api');
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
    const exporter = new OTLPTraceExporter({ url: 'http://127.0.0.1:9/v1/traces' });
    const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'x' }), spanProcessors: [new BatchSpanProcessor({ exporter })] });
    api.trace.setGlobalTracerProvider(provider);`,
  'parts + exporter-trace-otlp-http (JSON)': `
    const { TracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace');
    const { resourceFromAttributes } = await import('@opentelemetry/resources');
    await import('@opentelemetry/core');
    const api = await import('@opentelemetry/api');
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    const exporter = new OTLPTraceExporter({ url: 'http://127.0.0.1:9/v1/traces' });
    const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'x' }), spanProcessors: [new BatchSpanProcessor({ exporter })] });
    api.trace.setGlobalTracerProvider(provider);`,
  'parts + exporter-zipkin': `
    const { TracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace');
    const { resourceFromAttributes } = await import('@opentelemetry/resources');
    await import('@opentelemetry/core');
    const api = await import('@opentelemetry/api');
    const { ZipkinExporter } = await import('@opentelemetry/exporter-zipkin');
    const exporter = new ZipkinExporter({ url: 'http://127.0.0.1:9/api/v2/spans' });
    const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'x' }), spanProcessors: [new BatchSpanProcessor({ exporter })] });
    api.trace.setGlobalTracerProvider(provider);`,
  'sdk-node: import only': `
    await import('@opentelemetry/sdk-node');`,
  'sdk-node: NodeSDK({ traceExporter: OTLP proto }).start()': `
    const { NodeSDK, tracing } = await import('@opentelemetry/sdk-node');
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
    const sdk = new NodeSDK({
      serviceName: 'x',
      traceExporter: new OTLPTraceExporter({ url: 'http://127.0.0.1:9/v1/traces' }),
      instrumentations: [],
    });
    sdk.start();`,
} as const;

type Variant = keyof typeof BODY;

function sdkNodeDir(): string | undefined {
  const candidates = [process.env.SDK_NODE_DIR, join(ROOT, 'bench'), ROOT].filter((d): d is string => Boolean(d));
  return candidates.find((dir) => existsSync(join(dir, 'node_modules/@opentelemetry/sdk-node/package.json')));
}

function runOnce(variant: Variant, cwd: string): { ms: number; rssMb: number } {
  const code = `
    const rss0 = process.memoryUsage.rss();
    const t0 = performance.now();
    ${BODY[variant]}
    const ms = performance.now() - t0;
    process.stdout.write(JSON.stringify({ ms, rssMb: (process.memoryUsage.rss() - rss0) / 1048576 }));
    process.exit(0);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd,
    encoding: 'utf8',
    // sdk-node reads these at start(): keep it to traces, as lambda-observe's traces signal is.
    env: { PATH: process.env.PATH ?? '', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', OTEL_SDK_DISABLED: '' },
  });
  return JSON.parse(out) as { ms: number; rssMb: number };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const sdkDir = sdkNodeDir();
console.log(`Node ${process.version}, median of ${RUNS} processes per variant; sdk-node from ${sdkDir ?? '(not found: rows skipped)'}\n`);
console.log('| variant | import + setup ms (median) | min | max | RSS added MB (median) |');
console.log('|---|---|---|---|---|');
let baseline = 0;
for (const variant of Object.keys(BODY) as Variant[]) {
  const usesSdkNode = variant.startsWith('sdk-node');
  if (usesSdkNode && !sdkDir) continue;
  const cwd = usesSdkNode ? sdkDir! : ROOT;
  const runs = Array.from({ length: RUNS }, () => runOnce(variant, cwd));
  const ms = runs.map((r) => r.ms);
  const med = median(ms);
  if (variant === 'baseline') baseline = med;
  console.log(
    `| ${variant} | ${(med - baseline).toFixed(1)} | ${(Math.min(...ms) - baseline).toFixed(1)} | ${(Math.max(...ms) - baseline).toFixed(1)} | ${median(runs.map((r) => r.rssMb)).toFixed(1)} |`,
  );
}
