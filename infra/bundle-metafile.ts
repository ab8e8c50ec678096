/**
 * What the layer build and the npm package build read off an esbuild metafile: the bytes a cold
 * start loads, the lazily imported rest, and the third-party notice of what was bundled.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The Apache License 2.0 text, which redistributing the bundled OpenTelemetry packages requires. */
export const APACHE_LICENSE = join(ROOT, 'node_modules/@opentelemetry/api/LICENSE');

type Outputs = Metafile['outputs'];

/** The outputs that importing `roots` loads: their static import graph (dynamic imports left out). */
export function staticGraph(outputs: Outputs, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !outputs[name]) return;
    seen.add(name);
    for (const imported of outputs[name].imports) if (imported.kind === 'import-statement') visit(imported.path);
  };
  roots.forEach(visit);
  return seen;
}

/** Minified bytes of what importing `root` loads. */
function graphBytes(outputs: Outputs, root: string): number {
  let sum = 0;
  for (const name of staticGraph(outputs, [root])) sum += outputs[name]?.bytes ?? 0;
  return sum;
}

/** Bytes of the JavaScript outputs that no entry loads statically: the lazily imported chunks. */
function lazyBytes(outputs: Outputs, entries: readonly string[]): number {
  const eager = staticGraph(outputs, entries);
  let sum = 0;
  for (const name of Object.keys(outputs)) if (/\.m?js$/.test(name) && !eager.has(name)) sum += outputs[name]?.bytes ?? 0;
  return sum;
}

/** The bundled packages, their versions and licenses (the bundle drops their license comments). */
export function thirdPartyNotice(metafile: Metafile, bundledInto: 'layer' | 'package'): string {
  const packages = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packages.add(match[1] as string);
  }
  const lines = [`# Third-party code bundled into this ${bundledInto}`, ''];
  for (const name of [...packages].sort()) {
    const meta = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string; license?: string };
    lines.push(`- ${name} ${meta.version} (${meta.license ?? 'see package'})`);
  }
  lines.push('', 'The Apache License 2.0 text is in LICENSE.', '');
  return lines.join('\n');
}

/**
 * A build's sizes by entry name: what importing each entry loads (its static graph), and the lazy
 * chunks that none of them loads. `file` names an entry's output as the metafile keys it.
 */
export function entrySizes<Name extends string>(
  outputs: Outputs,
  names: readonly Name[],
  file: (name: Name) => string,
): { readonly perEntry: Readonly<Record<Name, number>>; readonly lazy: number } {
  const perEntry = {} as Record<Name, number>;
  for (const name of names) perEntry[name] = graphBytes(outputs, file(name));
  return { perEntry, lazy: lazyBytes(outputs, names.map(file)) };
}

/** 1 KB = 1000 bytes, in both builds' reports and in the bench. */
export function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} KB`;
}
