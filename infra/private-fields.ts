/**
 * The OpenTelemetry SDK's "private" fields (`_meterSharedState`, `_spanContext`, …), which the
 * layer bundle renames to short names (esbuild `mangleProps`): ≈ 8 KB, 5 %, of what every cold
 * start loads and compiles.
 *
 * Which names: those the @opentelemetry/* packages declare as class fields (`\t_name;` or
 * `\t_name = …` in a class body of their ESM builds) and never write as a string, found at build
 * time. A declared field is the package's own state, read and written through `this` or through
 * another instance of its own classes (reviewed for the SDK 3.1 / 0.301 packages: the reads not
 * through `this` are of trace states, contexts, resources, instruments and observable results);
 * esbuild renames every access alike. What would break is an access the renaming cannot see, or
 * one that must not be renamed, so the build checks the bundled sources:
 * - a name written as a string (`obj['_name']`, `'_name' in obj`), which esbuild leaves alone;
 * - our own code (outside node_modules) reading such a name from any object: src/ uses `#private`.
 * Public names are never touched, so objects shared with a function's own copy of
 * @opentelemetry/api through its global registry (providers, contexts, spans) keep working: the
 * API only ever calls their public methods.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const FIELD = /^\t+(?:static\s+)?(_[a-z][A-Za-z0-9]*)\s*[;=]/gm;
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
        for (const match of text.matchAll(QUOTED)) quoted.add(match[2] as string);
      }
    }
  };
  for (const pkg of readdirSync(root)) {
    const dist = join(root, pkg, 'dist');
    if (statSync(dist, { throwIfNoEntry: false })?.isDirectory()) visit(dist);
  }
  return [...declared].filter((name) => !quoted.has(name)).sort();
}

/** esbuild's `mangleProps`: exactly these names. */
export function manglePattern(names: readonly string[]): RegExp {
  return new RegExp(`^(?:${names.join('|')})$`);
}

/**
 * Throw if a bundled source names one of `names` in a string, or if one of our own sources
 * (outside node_modules) reads one from an object: renaming would then break it (see above).
 */
export function checkRenamable(names: readonly string[], sources: ReadonlyArray<{ path: string; text: string }>): void {
  const set = new Set(names);
  const problems: string[] = [];
  for (const { path, text } of sources) {
    for (const match of text.matchAll(QUOTED)) {
      if (set.has(match[2] as string)) problems.push(`${path}: "${match[2]}" as a string`);
    }
    if (!path.includes('node_modules/')) {
      for (const match of text.matchAll(/\.(_[a-z][A-Za-z0-9]*)\b/g)) {
        if (set.has(match[1] as string)) problems.push(`${path}: reads ${match[1]}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(`the layer build renames the OpenTelemetry SDK's private fields, which these uses would break:\n  ${problems.join('\n  ')}`);
  }
}
