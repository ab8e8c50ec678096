/**
 * An esbuild plugin for the bundles: the lazily loaded OTLP span exporter (src/traces/otlp-exporter.ts)
 * imports the two OpenTelemetry pieces it uses from their own modules instead of the packages'
 * index modules.
 *
 * Why: the bundles split lazily loaded code into chunks by which dynamic imports reach each file,
 * and a file is reached through an index module's re-exports whether it is used there or not. The
 * OTLP metric exporter (src/metrics/otlp-sink.ts) goes through the same two indexes, so every file
 * the metric exporter needs from them (its serializer, otlp-exporter-base's export delegate, retry
 * layer, http transport and metrics bookkeeping) landed in a chunk shared with the span exporter,
 * ≈ 11 KB and one more file that every cold start exporting spans loaded and compiled for nothing.
 *
 * The modules are the very files the indexes re-export (same code, same module instances: the
 * metric exporter still imports them through the indexes), addressed by path, which esbuild allows
 * where the packages' export maps would not.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { realpathSync } from 'node:fs';
import type { Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const IMPORTER = /\/src\/traces\/otlp-exporter\.ts$/;

/** Re-exports of the named modules, by package entry as the importer spells it. */
const NARROWED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '@opentelemetry/otlp-transformer': {
    JsonTraceSerializer: '@opentelemetry/otlp-transformer/dist/trace/json/trace.mjs',
    ProtobufTraceSerializer: '@opentelemetry/otlp-transformer/dist/trace/protobuf/trace.mjs',
  },
  '@opentelemetry/otlp-exporter-base/node-http': {
    convertLegacyHttpOptions: '@opentelemetry/otlp-exporter-base/dist/platform/node/configuration/convert-legacy-node-http-options.mjs',
  },
};

export function narrowImports(): Plugin {
  return {
    name: 'narrow-imports',
    setup(build) {
      const filter = new RegExp(`^(${Object.keys(NARROWED).map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`);
      build.onResolve({ filter }, (args) => {
        if (!IMPORTER.test(args.importer)) return undefined;
        return { path: args.path, namespace: 'narrow-imports' };
      });
      build.onLoad({ filter: /.*/, namespace: 'narrow-imports' }, (args) => {
        const exports = NARROWED[args.path] as Readonly<Record<string, string>>;
        const contents = Object.entries(exports)
          .map(([name, file]) => `export { ${name} } from ${JSON.stringify(realpathSync(join(ROOT, 'node_modules', file)))};`)
          .join('\n');
        return { contents, loader: 'js', resolveDir: ROOT };
      });
    },
  };
}
