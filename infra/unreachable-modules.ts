/**
 * An esbuild plugin for the layer bundle: library modules that lambda-observe can never reach are
 * replaced by a stub, so every cold start stops paying for loading and compiling them.
 *
 * Only modules whose use is decided by lambda-observe's own code qualify, never by user code or
 * configuration. The stub keeps the module's export names and throws if it is ever called, so a
 * change that makes one reachable fails loudly in the tests that run the layer, instead of
 * silently behaving differently.
 */
import type { Plugin } from 'esbuild';

interface Unreachable {
  /** The module's path inside node_modules. */
  readonly path: RegExp;
  /** Its exports that other bundled modules import. */
  readonly exports: readonly string[];
  /** Why nothing reaches it. */
  readonly because: string;
}

const UNREACHABLE: readonly Unreachable[] = [
  {
    // ≈ 9.5 KB minified with its bucket and mapping modules. sdk-metrics' Aggregation module
    // imports it for `ExponentialHistogramAggregation`, which only a View or a reader's
    // aggregation selector can choose: the layer's one MeterProvider is built by
    // src/metrics/provider.ts with our views (no aggregation) and our PullMetricReader (the
    // default selector), and neither is open to user code.
    path: /node_modules\/@opentelemetry\/sdk-metrics\/dist\/aggregator\/ExponentialHistogram\.mjs$/,
    exports: ['ExponentialHistogramAccumulation', 'ExponentialHistogramAggregator'],
    because: 'lambda-observe never selects the exponential histogram aggregation',
  },
];

export function unreachableModules(): Plugin {
  return {
    name: 'unreachable-modules',
    setup(build) {
      for (const { path, exports, because } of UNREACHABLE) {
        build.onLoad({ filter: path }, () => ({ contents: stubSource(exports, because), loader: 'js' }));
      }
    },
  };
}

function stubSource(exports: readonly string[], because: string): string {
  const message = JSON.stringify(`lambda-observe layer: this module was left out of the bundle (${because})`);
  return exports.map((name) => `export class ${name} { constructor() { throw new Error(${message}); } }`).join('\n');
}
