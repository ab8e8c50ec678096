/**
 * An esbuild plugin for the layer bundle: library modules that lambda-observe can never reach are
 * replaced by a stub, so every cold start stops paying for loading and compiling them.
 *
 * Only modules whose use is decided by lambda-observe's own code qualify, never by user code or
 * configuration. The stub keeps the module's export names, does what the module would do in the
 * layer (nothing), and throws where the module would do something, so a change that makes one
 * reachable fails loudly in the tests that run the layer instead of silently behaving differently.
 */
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

/** Where the stubs' own imports (@opentelemetry/api) resolve from. */
const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface Unreachable {
  /** The module's path inside node_modules. */
  readonly path: RegExp;
  /** Why nothing reaches it (or its effect). */
  readonly because: string;
  /** The stub, given the error message it throws when it is reached after all. */
  source(message: string): string;
}

/** Classes that throw when constructed. */
const throwing =
  (...names: string[]) =>
  (message: string): string =>
    names.map((name) => `export class ${name} { constructor() { throw new Error(${message}); } }`).join('\n');

/**
 * The SDK's self-observability instruments (`otel.sdk.span.*`, `otel.sdk.processor.span.*`,
 * `otel.sdk.metric_reader.*`): with no meter provider handed to the SDK they record into the
 * API's no-op meter, and lambda-observe hands it none (src/traces/tracing.ts builds the
 * TracerProvider and span processors without `meterProvider`/`selfObsMeterProvider`,
 * src/metrics/provider.ts the MeterProvider without `sdkMetricsEnabled`). The stub does the same
 * nothing without building attribute objects on every span, and throws if given a real meter.
 */
const selfObservability =
  (name: string, methods: string) =>
  (message: string): string =>
    [
      `import { createNoopMeter } from '@opentelemetry/api';`,
      `const none = () => {};`,
      `export class ${name} {`,
      `  constructor(...args) { if (!args.includes(createNoopMeter())) throw new Error(${message}); }`,
      `  ${methods}`,
      `}`,
    ].join('\n');

const UNREACHABLE: readonly Unreachable[] = [
  {
    // ≈ 9.5 KB minified with its bucket and mapping modules. sdk-metrics' Aggregation module
    // imports it for `ExponentialHistogramAggregation`, which only a View or a reader's
    // aggregation selector can choose: the layer's one MeterProvider is built by
    // src/metrics/provider.ts with our views (no aggregation) and our PullMetricReader (the
    // default selector), and neither is open to user code.
    path: /node_modules\/@opentelemetry\/sdk-metrics\/dist\/aggregator\/ExponentialHistogram\.mjs$/,
    because: 'lambda-observe never selects the exponential histogram aggregation',
    source: throwing('ExponentialHistogramAccumulation', 'ExponentialHistogramAggregator'),
  },
  {
    path: /node_modules\/@opentelemetry\/sdk-trace\/dist\/TracerMetrics\.mjs$/,
    because: 'lambda-observe gives the TracerProvider no meter provider',
    source: selfObservability('TracerMetrics', 'startSpan() { return none; }'),
  },
  {
    path: /node_modules\/@opentelemetry\/sdk-trace\/dist\/export\/SpanProcessorMetrics\.mjs$/,
    because: 'lambda-observe gives its span processors no meter provider',
    source: selfObservability('SpanProcessorMetrics', 'dropSpans() {} finishSpans() {} shutdown() {}'),
  },
  {
    path: /node_modules\/@opentelemetry\/sdk-metrics\/dist\/export\/MetricReaderMetrics\.mjs$/,
    because: 'lambda-observe does not enable the MeterProvider\'s SDK metrics',
    source: selfObservability('MetricReaderMetrics', 'recordCollection() {}'),
  },
];

export function unreachableModules(): Plugin {
  return {
    name: 'unreachable-modules',
    setup(build) {
      for (const { path, because, source } of UNREACHABLE) {
        const message = JSON.stringify(`lambda-observe: this module was left out of the bundle (${because})`);
        build.onLoad({ filter: path }, () => ({ contents: source(message), loader: 'js', resolveDir: ROOT }));
      }
    },
  };
}
