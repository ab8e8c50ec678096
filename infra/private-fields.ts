/**
 * The OpenTelemetry SDK's "private" fields and methods (`_meterSharedState`, `_spanContext`,
 * `_flushOneBatch`, …), which the layer bundle renames to short names (esbuild `mangleProps`):
 * ≈ 10 KB, 6 %, of what every cold start loads and compiles.
 *
 * Which names: those the @opentelemetry/* packages declare as class fields or methods
 * (`\t_name;`, `\t_name = …` or `\t_name(…) {` in a class body of their ESM builds) or create
 * by assigning `this._name = …`, and never write as a string, found at build time. A declared member is the package's own state or helper,
 * used through `this`, through another instance of its own classes or through the class itself
 * (static); esbuild renames every access alike. None is a hook that code outside the bundle calls
 * (a Node stream's `_read`/`_write`/`_transform`/`_flush`/`_final`/`_destroy`). What would break is an
 * access the renaming cannot see, or one of an object that is not the SDK's (a Node stream's
 * `_ended`), so the build checks the bundled sources for:
 * - a name written as a string (`obj['_name']`, `'_name' in obj`), which esbuild leaves alone;
 * - a read through something other than `this` that was not reviewed (`REVIEWED_READS`);
 * - any read in our own code (outside node_modules): src/ uses `#private`.
 * Public names are never touched, so objects shared with a function's own copy of
 * @opentelemetry/api through its global registry (providers, contexts, spans) keep working: the
 * API only ever calls their public methods.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const FIELD = /^\t+(?:static\s+)?(?:async\s+)?(_[a-z][A-Za-z0-9]*)\s*(?:[;=]|\([^)]*\)\s*\{)/gm;
/** A field that a constructor or method creates by assignment (`this._name = …`), undeclared. */
const ASSIGNED = /\bthis\.(_[a-z][A-Za-z0-9]*)\s*=(?!=)/g;
/** Methods that Node (outside the bundle) calls on subclasses of its own classes: never renamed. */
const NODE_HOOKS = new Set(['_read', '_write', '_writev', '_final', '_destroy', '_transform', '_flush', '_construct']);
const QUOTED = /(["'`])(_[a-z][A-Za-z0-9]*)\1/g;

/**
 * The declared `_fields` of every @opentelemetry/* package in `nodeModules`, sorted, less those a
 * package also names in a string (sdk-trace reads `processor['_spanProcessors']`).
 */
export function sdkPrivateFields(nodeModules: string): string[] {
  const root = join(nodeModules, '@opentelemetry');
  const declared = new Set<string>();
  const quoted = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) {
        visit(path);
      } else if (path.endsWith('.mjs')) {
        const text = readFileSync(path, 'utf8');
        for (const match of text.matchAll(FIELD)) declared.add(match[1] as string);
        for (const match of text.matchAll(ASSIGNED)) declared.add(match[1] as string);
        for (const match of text.matchAll(QUOTED)) quoted.add(match[2] as string);
      }
    }
  };
  for (const pkg of readdirSync(root)) {
    const dist = join(root, pkg, 'dist');
    if (statSync(dist, { throwIfNoEntry: false })?.isDirectory()) visit(dist);
  }
  return [...declared].filter((name) => !quoted.has(name) && !NODE_HOOKS.has(name)).sort();
}

/** esbuild's `mangleProps`: exactly these names. */
export function manglePattern(names: readonly string[]): RegExp {
  return new RegExp(`^(?:${names.join('|')})$`);
}

/**
 * Reads of a renamed member through something other than `this` in the SDK packages, reviewed: each
 * is an instance of the package's own class (a context, trace state, baggage, resource,
 * instrument, observable result, a MeterProvider's readers, which are MetricReaders: ours) or the class itself
 * (static methods). A new one, after an upgrade, fails the build until it is reviewed and added.
 */
const REVIEWED_READS = new Set([
  'self._currentContext',
  'context._currentContext',
  'traceState._internalState',
  'traceState._length',
  'res._rawAttributes',
  'res._asyncAttributesPending',
  'metric._descriptor',
  'instrument._descriptor',
  'instrument._metricStorages',
  'observableResult._buffer',
  'newBaggage._entries',
  'metricReader._setSelfObsMeterProvider',
  'ConsoleMetricExporter._sendMetrics',
  'AWSXRayPropagator._parseTraceId',
  'AWSXRayPropagator._parseSpanId',
  'AWSXRayPropagator._parseTraceFlag',
]);

/**
 * Throw if a bundled source names one of `names` in a string, reads one through something other
 * than `this` where that was not reviewed, or (our own code, outside node_modules) reads one at
 * all: renaming would then break it, or might (see above).
 */
export function checkRenamable(names: readonly string[], sources: ReadonlyArray<{ path: string; text: string }>): void {
  const set = new Set(names);
  const problems: string[] = [];
  for (const { path, text } of sources) {
    const ours = !path.includes('node_modules/');
    for (const match of text.matchAll(QUOTED)) {
      if (set.has(match[2] as string)) problems.push(`${path}: "${match[2]}" as a string`);
    }
    for (const match of text.matchAll(/([\w$\])]+)\s*\.\s*(_[a-z][A-Za-z0-9]*)\b/g)) {
      const [read, receiver, name] = match as unknown as [string, string, string];
      if (!set.has(name) || (!ours && (receiver === 'this' || REVIEWED_READS.has(`${receiver}.${name}`)))) continue;
      problems.push(`${path}: reads ${read.replace(/\s+/g, '')}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`the layer build renames the OpenTelemetry SDK's private fields, which these uses would break:\n  ${[...new Set(problems)].join('\n  ')}`);
  }
}
