/**
 * The variants: one handler file each (bench/handlers/), set up only through the environment and
 * the node command line, as a function would be on Lambda.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Sinks } from './sinks.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BENCH = join(ROOT, 'bench');
export const HANDLERS = join(BENCH, 'handlers');
export const EVENT_FILE = join(ROOT, 'test/fixtures/events/apigw-rest.json');
/**
 * The npm package as `npm run build` builds it, but into a directory of the
 * benchmark's own: dist/ is rebuilt by others (the layer build, a teammate's `npm run build`) at
 * any moment, and a module that changes under a running child fails it. Under the repository's
 * .cache/ (ignored), its @opentelemetry/api import resolves to the root node_modules exactly as
 * dist/'s does, never to bench/node_modules.
 */
export const PACKAGE_OUT = join(ROOT, '.cache/bench/dist');
export const DIST_ENTRY = join(PACKAGE_OUT, 'index.js');
/** A single-file esbuild bundle of src/index.ts: the layer's stand-in where there is no layer build. */
export const BUNDLE_ENTRY = join(BENCH, '.build/lambda-observe.bundle.mjs');
/** The real layer (infra/build-layer.ts), unpacked as Lambda unpacks it into /opt. */
export const LAYER_DIR = join(BENCH, '.build/layer');
export const LAYER_ENTRY = join(LAYER_DIR, 'nodejs/node_modules/lambda-observe/dist/index.mjs');
const LAYER_API = join(LAYER_DIR, 'nodejs/node_modules/@opentelemetry/api/dist/index.mjs');
/** The stock-OpenTelemetry-parts control (handlers/otel-parts.mjs), bundled into one file by build.ts. */
export const OTEL_PARTS_ENTRY = join(BENCH, '.build/otel-parts.mjs');

/** Which build the "layer" variants load: set by the harness once it knows whether the real layer built. */
export const layerBuild: { entry: string; api: string; label: string } = { entry: BUNDLE_ENTRY, api: '', label: 'bundle' };

/** Use the real layer: its copy of lambda-observe, and the @opentelemetry/api it ships for functions that do not bundle their own. */
export function useRealLayer(): void {
  layerBuild.entry = LAYER_ENTRY;
  layerBuild.api = existsSync(LAYER_API) ? LAYER_API : '';
  layerBuild.label = 'layer';
}

export type VariantId = 'raw' | 'lo-off' | 'lo-sync' | 'lo-interval' | 'lo-async' | 'lo-async-off' | 'lo-off-evict' | 'lo-bundle-off' | 'lo-bundle' | 'powertools' | 'otel' | 'otel-parts';

export interface Variant {
  readonly id: VariantId;
  readonly label: string;
  readonly handler: string;
  readonly execArgv: readonly string[];
  /** The variant's own environment (added to the Lambda-like base). */
  env(sinks: Sinks): Record<string, string>;
  /** After each response, wait until Lambda could freeze the environment (async flush mode). */
  readonly settle: boolean;
}

/** The function's configured memory (MB) unless a run says otherwise (`npm run bench -- --memory=128`). */
export const DEFAULT_FUNCTION_MEMORY_MB = 1024;

/** The eviction control's buffer: larger than a server core's L2 cache (1–2 MB). */
const EVICT_KB = 4096;

const fileUrl = (path: string): string => pathToFileURL(path).href;

/** What Lambda puts in every function's environment, plus the X-Ray daemon address (Powertools' tracer sends there). */
export function lambdaEnv(sinks: Sinks): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: 'bench-fn',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(launch.memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/bench-fn',
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/22/[$LATEST]0123456789abcdef0123456789abcdef',
    LAMBDA_TASK_ROOT: HANDLERS,
    AWS_XRAY_DAEMON_ADDRESS: sinks.xrayAddress,
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    BENCH_EVENT: EVENT_FILE,
  };
}

/** lambda-observe through the npm package build; the handler shares the package's @opentelemetry/api (npm dedupes it). */
function observeEnv(library: string, api: string, extra: Record<string, string>): Record<string, string> {
  return {
    BENCH_HANDLER: join(HANDLERS, 'observe.mjs'),
    BENCH_LIBRARY: fileUrl(library),
    BENCH_OTEL_API: fileUrl(api),
    OTEL_SERVICE_NAME: 'bench-fn',
    ...extra,
  };
}

const ROOT_API = join(ROOT, 'node_modules/@opentelemetry/api/dist/index.mjs');
/** With the layer the function brings its own @opentelemetry/api (bench/'s copy here): both share the API's global registry. */
const USER_API = join(BENCH, 'node_modules/@opentelemetry/api/dist/index.mjs');

/** Traces to the OTLP receiver, metrics to the Pushgateway (lambda-observe's defaults pick these from the two variables). */
function exportingEnv(sinks: Sinks, mode: 'sync' | 'async'): Record<string, string> {
  const env: Record<string, string> = {
    OTEL_EXPORTER_OTLP_ENDPOINT: sinks.otlpUrl,
    LAMBDA_OBSERVE_FLUSH_MODE: mode,
  };
  if (sinks.pushgatewayUrl) env.LAMBDA_OBSERVE_PUSHGATEWAY_URL = sinks.pushgatewayUrl;
  return env;
}

export const VARIANTS: Record<VariantId, Variant> = {
  raw: {
    id: 'raw',
    label: 'raw handler',
    handler: 'raw.mjs',
    execArgv: [],
    env: () => ({ BENCH_HANDLER: join(HANDLERS, 'raw.mjs') }),
    settle: false,
  },
  'lo-off': {
    id: 'lo-off',
    label: 'lambda-observe, exporters off',
    handler: 'observe.mjs',
    execArgv: [],
    env: () => observeEnv(DIST_ENTRY, ROOT_API, {}),
    settle: false,
  },
  'lo-sync': {
    id: 'lo-sync',
    label: 'lambda-observe, OTLP + Pushgateway, sync flush',
    handler: 'observe.mjs',
    execArgv: [],
    env: (sinks) => observeEnv(DIST_ENTRY, ROOT_API, exportingEnv(sinks, 'sync')),
    settle: false,
  },
  'lo-interval': {
    id: 'lo-interval',
    label: 'lambda-observe, OTLP every invocation + Pushgateway at most every 10 s, sync flush',
    handler: 'observe.mjs',
    execArgv: [],
    env: (sinks) => observeEnv(DIST_ENTRY, ROOT_API, { ...exportingEnv(sinks, 'sync'), LAMBDA_OBSERVE_PUSH_INTERVAL_MS: '10000' }),
    settle: false,
  },
  'lo-async': {
    id: 'lo-async',
    label: 'lambda-observe, OTLP + Pushgateway, async flush',
    handler: 'observe.mjs',
    execArgv: [],
    // The flush hold needs an Extensions API: the child plays Lambda's (child/lambda.mjs).
    env: (sinks) => ({ ...observeEnv(DIST_ENTRY, ROOT_API, exportingEnv(sinks, 'async')), BENCH_EXTENSIONS_API: '1' }),
    settle: true,
  },
  'lo-async-off': {
    id: 'lo-async-off',
    label: 'control: async flush hold, exporters off',
    handler: 'observe.mjs',
    execArgv: [],
    // The async row without its exporters: what the hold's own round trip between invocations costs
    // the next response (cold caches, see child/lambda.mjs), so the exporters' share can be told apart.
    env: () => observeEnv(DIST_ENTRY, ROOT_API, { LAMBDA_OBSERVE_FLUSH_MODE: 'async', BENCH_EXTENSIONS_API: '1' }),
    settle: true,
  },
  'lo-off-evict': {
    id: 'lo-off-evict',
    label: `control: exporters off, ${EVICT_KB / 1024} MB of memory touched between invocations`,
    handler: 'observe.mjs',
    execArgv: [],
    // Exporters off, with the CPU caches cold at each invocation as work between invocations
    // leaves them (the async row's flush, the runtime's own round trip): how much of the async
    // row's response latency is cache misses rather than lambda-observe's work (child/warm.mjs).
    env: () => observeEnv(DIST_ENTRY, ROOT_API, { BENCH_EVICT_KB: String(EVICT_KB) }),
    settle: false,
  },
  'lo-bundle-off': {
    id: 'lo-bundle-off',
    label: 'lambda-observe layer, exporters off',
    handler: 'observe.mjs',
    execArgv: [],
    env: () => observeEnv(layerBuild.entry, layerBuild.api || USER_API, {}),
    settle: false,
  },
  'lo-bundle': {
    id: 'lo-bundle',
    label: 'lambda-observe layer, OTLP + Pushgateway, sync flush',
    handler: 'observe.mjs',
    execArgv: [],
    env: (sinks) => observeEnv(layerBuild.entry, layerBuild.api || USER_API, exportingEnv(sinks, 'sync')),
    settle: false,
  },
  powertools: {
    id: 'powertools',
    label: 'Powertools (logger + metrics + tracer, middy)',
    handler: 'powertools.mjs',
    execArgv: [],
    env: () => ({
      BENCH_HANDLER: join(HANDLERS, 'powertools.mjs'),
      POWERTOOLS_SERVICE_NAME: 'bench-fn',
      POWERTOOLS_METRICS_NAMESPACE: 'bench',
    }),
    settle: false,
  },
  otel: {
    id: 'otel',
    label: 'OpenTelemetry aws-lambda instrumentation, OTLP/HTTP',
    handler: 'otel-handler.cjs',
    // The OpenTelemetry Lambda layer loads its setup with NODE_OPTIONS=--require.
    execArgv: ['--require', join(HANDLERS, 'otel-setup.cjs')],
    env: (sinks) => ({
      BENCH_HANDLER: join(HANDLERS, 'otel-handler.cjs'),
      _HANDLER: 'otel-handler.handler',
      OTEL_SERVICE_NAME: 'bench-fn',
      OTEL_EXPORTER_OTLP_ENDPOINT: sinks.otlpUrl,
    }),
    settle: false,
  },
  'otel-parts': {
    id: 'otel-parts',
    label: 'control: the same job on stock OpenTelemetry SDK parts (one bundled file), OTLP + Pushgateway, sync',
    handler: 'otel-parts.mjs',
    execArgv: [],
    // What the OpenTelemetry SDK's own parts cost for the signals the budgets measure, with nothing
    // of lambda-observe: the scale for the cold-start, export and memory budgets of a library that
    // is built on them.
    env: (sinks) => ({
      BENCH_HANDLER: OTEL_PARTS_ENTRY,
      OTEL_SERVICE_NAME: 'bench-fn',
      OTEL_EXPORTER_OTLP_ENDPOINT: sinks.otlpUrl,
      ...(sinks.pushgatewayUrl ? { BENCH_PUSHGATEWAY_URL: sinks.pushgatewayUrl } : {}),
    }),
    settle: false,
  },
};

/**
 * Set once by the harness: how a measured child is started (a command prefix, see affinity.ts) and
 * the memory of the function it plays, which Lambda hands it in the environment, the context
 * and node's heap flags.
 */
export const launch: { prefix: readonly string[]; memoryMb: number } = { prefix: [], memoryMb: DEFAULT_FUNCTION_MEMORY_MB };

/**
 * Node flags every child gets, as Lambda's Node.js bootstrap (/var/runtime/bootstrap) starts node:
 * --expose-gc, and V8's heap sized from the function's memory (a tenth of it for the young
 * generation, whose semi-space is half of that; the rest for the old generation). The runtime
 * interface client knows these three (it strips them from its worker threads' execArgv). Without
 * them V8 sizes its heap from this machine's RAM: its young generation stops growing at another
 * size, and below a 2 GB old generation V8 calls its builtins the long way (no short builtin
 * calls), which slows a handler's first few thousand invocations (docs/performance.md).
 */
export function baseExecArgv(): string[] {
  const youngGenerationMb = Math.floor(launch.memoryMb / 10);
  return ['--expose-gc', `--max-semi-space-size=${Math.floor(youngGenerationMb / 2)}`, `--max-old-space-size=${launch.memoryMb - youngGenerationMb}`];
}

export function childEnv(variant: Variant, sinks: Sinks): Record<string, string> {
  return { ...lambdaEnv(sinks), ...variant.env(sinks) };
}
