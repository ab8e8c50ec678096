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
  const specifier = JSON.stringify(`node:${name}`);
  if (DEFERRED.has(name)) return deferredShimSource(specifier, name);
  const lines = [`const m = process.getBuiltinModule(${specifier});`, 'export default m;'];
  for (const key of exportableKeys(name)) lines.push(`export const ${key} = m.${key};`);
  return lines.join('\n');
}

/**
 * Builtins whose mere loading is expensive, and of which bundled code only calls functions: the
 * shim exports functions that load the builtin on their first call. Loading node:util on Node 22
 * costs ≈ 5 ms (it builds its diff and colour support, which opens stderr), and the OpenTelemetry
 * core package imports it only to `inspect()` a bad environment value in a warning. node:zlib
 * (≈ 0.5–1 ms) is imported by the OTLP exporters' HTTP transport, which calls `createGzip()` only
 * when compression is on (it is off by default).
 */
const DEFERRED = new Set(['util', 'zlib']);

function deferredShimSource(specifier: string, name: string): string {
  const lines = [
    `let loaded;`,
    `const m = () => (loaded ??= process.getBuiltinModule(${specifier}));`,
    // A default import must still be the module object; a Proxy defers the load to first use.
    `export default new Proxy({}, { get: (_, key) => m()[key], has: (_, key) => key in m() });`,
  ];
  for (const key of functionKeys(name)) lines.push(`export function ${key}(...args) { return m().${key}(...args); }`);
  return lines.join('\n');
}

/** The names of the builtin's plain functions (not classes), which a wrapper can stand in for. */
function functionKeys(name: string): string[] {
  const script = `const m = process.getBuiltinModule(${JSON.stringify(`node:${name}`)});
    process.stdout.write(JSON.stringify(Object.keys(m).filter((k) => {
      const d = Object.getOwnPropertyDescriptor(m, k);
      return 'value' in d && typeof d.value === 'function' && !/^class\\b/.test(Function.prototype.toString.call(d.value)) && !/^[A-Z]/.test(k);
    })));`;
  const keys = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[];
  return keys.filter((key) => IDENTIFIER.test(key) && key !== 'default');
}

const pristine = new Map<string, string[]>();

/**
 * The builtin's data-property names, as a fresh process that has loaded nothing else sees them.
 * Node turns a lazy getter into a data property once it has run, so this build process (esbuild,
 * the file system, …) — or a process that loaded other builtins first — would report getters it
 * happened to touch as plain values, and the shim would run them at every cold start.
 */
function exportableKeys(name: string): string[] {
  let keys = pristine.get(name);
  if (!keys) {
    const script = `const m = process.getBuiltinModule(${JSON.stringify(`node:${name}`)});
      process.stdout.write(JSON.stringify(Object.keys(m).filter((k) => 'value' in Object.getOwnPropertyDescriptor(m, k))));`;
    keys = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as string[];
    pristine.set(name, keys);
  }
  return [...keys, ...(ALLOWED_GETTERS[name] ?? [])].filter((key) => IDENTIFIER.test(key) && key !== 'default');
}
