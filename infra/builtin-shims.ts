/**
 * An esbuild plugin for the layer bundle: Node builtins are reached through
 * `process.getBuiltinModule()` instead of ESM `import` statements.
 *
 * Why: importing a builtin as an ES module builds a namespace facade, which runs every lazy getter
 * the builtin has. Measured on Node 22: `import … from 'util'` (the OpenTelemetry core package
 * does this for `inspect`) costs ≈ 7–8 ms because `util.TextDecoder` loads the diff and colour
 * machinery and opens stderr; `import('http')` (the OTLP exporter) costs ≈ 30 ms because
 * `http.WebSocket` loads undici. `process.getBuiltinModule()` returns the CommonJS object and
 * evaluates nothing: a few microseconds. Every cold start of every function pays the difference.
 *
 * Each shim exports the builtin's plain data properties by name and the module as default.
 * Accessor properties (the lazy getters) are left out on purpose, but for a short allow-list: a
 * bundled module that imports another one fails the build with "No matching export", so nothing
 * can silently pull a getter in.
 */
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import type { Plugin } from 'esbuild';

const NAMESPACE = 'lambda-observe-builtin';
const SHIMMED = new Set(builtinModules.filter((name) => !name.startsWith('_') && !name.includes('/')));
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/**
 * Getters some bundled code does import, each checked to be cheap and to sit only in a chunk
 * that is loaded lazily (fs.promises: OpenTelemetry's machine-id detectors, which we never run).
 */
const ALLOWED_GETTERS: Readonly<Record<string, readonly string[]>> = { fs: ['promises'] };

export function builtinShims(): Plugin {
  return {
    name: 'builtin-shims',
    setup(build) {
      build.onResolve({ filter: /^(node:)?[a-z_]+$/ }, (args) => {
        const name = args.path.replace(/^node:/, '');
        return SHIMMED.has(name) ? { path: name, namespace: NAMESPACE } : undefined;
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ contents: shimSource(args.path), loader: 'js' }));
    },
  };
}

/** `export const x = m.x` for every plain data property of the builtin, read once at load. */
export function shimSource(name: string): string {
  const lines = [`const m = process.getBuiltinModule(${JSON.stringify(`node:${name}`)});`, 'export default m;'];
  for (const key of exportableKeys(name)) lines.push(`export const ${key} = m.${key};`);
  return lines.join('\n');
}

let pristine: Record<string, string[]> | undefined;

/**
 * The builtin's data-property names, as a fresh process sees them. Node turns a lazy getter into a
 * data property once it has run, so this build process (esbuild, the file system, …) would report
 * getters it happened to touch as plain values.
 */
function exportableKeys(name: string): string[] {
  pristine ??= JSON.parse(
    execFileSync(process.execPath, ['-e', `
      const out = {};
      for (const name of ${JSON.stringify([...SHIMMED])}) {
        const m = process.getBuiltinModule('node:' + name);
        out[name] = Object.keys(m).filter((k) => 'value' in Object.getOwnPropertyDescriptor(m, k));
      }
      process.stdout.write(JSON.stringify(out));`], { encoding: 'utf8' }),
  ) as Record<string, string[]>;
  const keys = [...(pristine[name] ?? []), ...(ALLOWED_GETTERS[name] ?? [])];
  return keys.filter((key) => IDENTIFIER.test(key) && key !== 'default');
}
