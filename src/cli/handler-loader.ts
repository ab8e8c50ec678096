/**
 * Finds and loads a handler the way Lambda reads `_HANDLER`: `path/to/module.export`, relative
 * to the working directory, the module being `.js`, `.mjs` or `.cjs` (and, locally, `.ts` through
 * Node's type stripping or the project's own loader), the export possibly nested
 * (`module.handlers.main`) or a property of a default export. A path to the file itself, with its
 * extension, works too and means its `handler` export.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lookupExport } from '../layer/resolve-handler.ts';
import { CliError, oneLine } from './errors.ts';

/** Extensions tried for a module named without one, in Lambda's order and then TypeScript's. */
const EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'] as const;
const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/** Where a handler spec points. */
export interface HandlerLocation {
  /** Absolute path of the module file. */
  readonly file: string;
  /** The export, split on dots: `['handler']`, `['handlers', 'main']`. */
  readonly exportPath: readonly string[];
  /** `relative/file.ext:export`, for display. */
  readonly label: string;
}

/** A loaded handler function and how to show it. */
export interface LoadedHandler extends HandlerLocation {
  readonly fn: (...args: unknown[]) => unknown;
  /** `module` for ESM (.mjs, or .js/.ts in a "type": "module" scope), `commonjs` otherwise. */
  readonly moduleKind: string;
}

/** Resolve `spec` against `cwd` without loading anything. */
export function locateHandler(spec: string, cwd: string): HandlerLocation {
  if (!spec) throw new CliError('missing <handler>: e.g. lambda-observe invoke handlers/orders-api.handler');
  const direct = resolve(cwd, spec);
  if (isFile(direct)) return location(direct, ['handler'], cwd);

  const dir = dirname(spec);
  const base = basename(spec);
  // The rightmost split first: `orders.mjs.handler` is the file orders.mjs, not orders + "mjs.handler".
  for (let dot = base.lastIndexOf('.'); dot > 0; dot = base.lastIndexOf('.', dot - 1)) {
    const exportName = base.slice(dot + 1);
    if (!exportName) continue;
    const file = findModule(resolve(cwd, dir, base.slice(0, dot)));
    if (file) return location(file, exportName.split('.'), cwd);
  }
  const moduleName = base.includes('.') ? base.slice(0, base.indexOf('.')) : base;
  const shown = join(dir, moduleName);
  throw new CliError(
    `no handler module "${shown}" in ${cwd} (looked for ${shown}${EXTENSIONS.map((e, i) => (i === 0 ? e : `, ${e}`)).join('')})`,
  );
}

function findModule(withoutExtension: string): string | undefined {
  if (EXTENSIONS.includes(extname(withoutExtension) as never) && isFile(withoutExtension)) return withoutExtension;
  for (const extension of EXTENSIONS) {
    const candidate = withoutExtension + extension;
    if (isFile(candidate)) return candidate;
  }
  return undefined;
}

function location(file: string, exportPath: string[], cwd: string): HandlerLocation {
  return { file, exportPath, label: `${relative(cwd, file) || basename(file)}:${exportPath.join('.')}` };
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Import the module (running its init code, as Lambda does at cold start) and find the export. */
export async function loadHandler(where: HandlerLocation): Promise<LoadedHandler> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(where.file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(importFailure(where, error), undefined, { cause: error });
  }
  const found = lookupExport(module, where.exportPath) ?? lookupExport(module.default, where.exportPath);
  const name = where.exportPath.join('.');
  const file = where.label.slice(0, where.label.lastIndexOf(':'));
  if (found === undefined) {
    const available = exportNames(module);
    throw new CliError(
      `${file} has no export "${name}" (${available.length ? `it exports: ${available.join(', ')}` : 'it exports nothing'})`,
    );
  }
  if (typeof found !== 'function') {
    throw new CliError(`export "${name}" of ${file} is ${found === null ? 'null' : `a ${typeof found}`}, not a function`);
  }
  return { ...where, fn: found as LoadedHandler['fn'], moduleKind: moduleKindOf(where.file, module) };
}

function importFailure(where: HandlerLocation, error: unknown): string {
  const file = where.label.slice(0, where.label.lastIndexOf(':'));
  const code = (error as { code?: unknown } | null)?.code;
  if (TS_EXTENSIONS.has(extname(where.file)) && typeof code === 'string' && /TYPESCRIPT|UNKNOWN_FILE_EXTENSION|STRIP/.test(code)) {
    return `cannot load ${file} with Node's type stripping (${oneLine(error)}); run with your TypeScript loader, e.g. NODE_OPTIONS="--import tsx" npx lambda-observe …`;
  }
  return `handler init failed in ${file}: ${oneLine(error)}`;
}

function exportNames(module: Record<string, unknown>): string[] {
  const names = new Set(Object.keys(module).filter((k) => k !== 'default' && k !== 'module.exports'));
  const fallback = module.default;
  if (fallback !== null && typeof fallback === 'object') for (const key of Object.keys(fallback)) names.add(key);
  if (names.size === 0 && 'default' in module) names.add('default');
  return [...names].sort();
}

function moduleKindOf(file: string, module: Record<string, unknown>): string {
  const extension = extname(file);
  if (extension === '.mjs' || extension === '.mts') return 'ESM';
  if (extension === '.cjs' || extension === '.cts') return 'CommonJS';
  // A CommonJS module imported from ESM exposes its module.exports as `module.exports` (Node ≥ 22.12).
  return 'module.exports' in module ? 'CommonJS' : 'ESM';
}
