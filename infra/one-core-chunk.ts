/**
 * An esbuild plugin for the split bundles (npm package and layer): everything that importing
 * `lambda-observe` loads lands in ONE shared chunk, instead of one chunk per combination of entry
 * points and lazily imported modules that reach it.
 *
 * Why: esbuild's code splitting puts each module in the chunk of the exact set of entry points
 * that reach it, and every `import()` target (the exporters, loaded only when configured) counts
 * as an entry point. So the OpenTelemetry API, core and sdk-metrics, which the lazy exporters use
 * too, were each a chunk of their own, and a cold start loaded the entry plus 7–8 chunks: each
 * one resolved (a realpath per import edge), read, compiled and linked separately. One module
 * for the same code measured ≈ 3.5 ms less per cold start of the layer.
 *
 * How: every module that `src/index.ts` reaches statically is loaded whenever any of our entry
 * points runs, and before any lazy chunk can be (a lazy import only happens from code in it). So
 * every entry point gets one more import, of `src/index.ts` itself, appended at its end, and used
 * (esbuild assigns code to chunks by what is live from each entry point, not by what is imported);
 * every `import()` target is reached through a small module of the plugin's that re-exports it
 * and does the same. All of the core is then live from every entry point, the same set, and
 * esbuild emits it as one chunk. Appending leaves line and column numbers, and so the source maps,
 * as they were; import declarations are hoisted, and a module's own imports still evaluate first.
 * Nothing evaluates that did not before: a lazy chunk finds the core already evaluated, and what
 * `lambda-observe/middy`, the layer's handler module and the CLI load in addition is at most what
 * `lambda-observe` loads (≈ 3 KB more). The lazy chunks are named after the import() target.
 */
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/** Marks the plugin's own resolve call, so that it does not intercept itself. */
const SELF = Symbol('one-core-chunk');
const WRAPPER = 'one-core-chunk';
/** Appended to a module: uses every export of the core, so that all of it is live from there. */
const useCore = (core: string) => `\nimport * as lambdaObserveCore from ${JSON.stringify(core)};\nvoid lambdaObserveCore;\n`;

export function oneCoreChunk(core: string): Plugin {
  return {
    name: 'one-core-chunk',
    setup(build) {
      const entries = new Set<string>();
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind !== 'entry-point' && args.kind !== 'dynamic-import') return undefined;
        if ((args.pluginData as Record<symbol, unknown> | undefined)?.[SELF]) return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          namespace: args.namespace,
          resolveDir: args.resolveDir,
          pluginData: { [SELF]: true },
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        if (resolved.external || resolved.path === core) return resolved;
        // Entry points are resolved before any module is loaded, so onLoad below sees them all.
        if (args.kind === 'entry-point') {
          entries.add(resolved.path);
          return resolved;
        }
        // An import() target: a module of its own that re-exports the target, so that the target,
        // which other modules may import statically, is left as it is. One wrapper per target
        // (its resolved path), whatever specifier and importer reached it.
        const file = resolved.namespace === 'file' ? resolved.path : undefined;
        return {
          path: file ?? `${resolved.namespace}:${resolved.path}`,
          namespace: WRAPPER,
          pluginData: { resolveDir: args.resolveDir, file, specifier: file ?? args.path },
        };
      });
      build.onLoad({ filter: /.*/, namespace: WRAPPER }, async (args) => {
        const { resolveDir, file, specifier: target } = args.pluginData as { resolveDir: string; file?: string; specifier: string };
        const specifier = JSON.stringify(target);
        // A builtin's shim (builtin-shims.ts) has a default export; a file may or may not.
        const hasDefault = file === undefined || /\bexport\s+default\b|\bas\s+default\b/.test(await readFile(file, 'utf8'));
        const lines = [`export * from ${specifier};`, ...(hasDefault ? [`export { default } from ${specifier};`] : [])];
        return { contents: lines.join('\n') + useCore(core), loader: 'js', resolveDir };
      });
      build.onLoad({ filter: /\.(ts|mjs|js)$/ }, async (args) => {
        if (args.namespace !== 'file' || !entries.has(args.path)) return undefined;
        const source = await readFile(args.path, 'utf8');
        return { contents: source + useCore(core), loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
      });
    },
  };
}
