/**
 * Finds and loads the function's own handler the way the Node.js Lambda runtime does, for the
 * layer's zero-code wrapper: the exec wrapper moved the function's `_HANDLER` aside, so the runtime
 * loads our handler module, which loads the user's.
 *
 * Mirrors aws-lambda-ric 4 (`UserFunctionLoader`): `dir/module.export` relative to
 * LAMBDA_TASK_ROOT (absolute paths too), the module tried as is and with `.js`, `.mjs`, `.cjs` in
 * that order and loaded with `import()` (so `.js` follows the nearest package.json `"type"`), then
 * a `require.resolve` from the task root; the export may be nested (`file.obj.handler`) and is also
 * looked up on the default export (`module.exports` of CommonJS, `export default {…}` of ESM).
 * Failures throw Lambda's own error types. The user's module is only imported, never modified.
 */
import type * as Fs from 'node:fs';
import type * as Module from 'node:module';
import type * as Path from 'node:path';
import type * as Url from 'node:url';
import { HandlerNotFoundError, ImportModuleError, MalformedHandlerNameError, UserCodeSyntaxError } from './runtime-errors.ts';

// Builtins from `process.getBuiltinModule`: an ESM import of one builds a namespace facade that
// runs its lazy getters (node:fs alone ≈ 5 ms), paid at every cold start.
const { statSync } = process.getBuiltinModule('node:fs') as typeof Fs;
const { createRequire } = process.getBuiltinModule('node:module') as unknown as typeof Module;
const { join, resolve, basename } = process.getBuiltinModule('node:path') as typeof Path;
const { pathToFileURL } = process.getBuiltinModule('node:url') as typeof Url;

/** A handler as the runtime calls it. */
export type UserHandler = (...args: unknown[]) => unknown;

/** The parts of a handler setting: `src/api/users.handler` → `src/api`, `users`, `handler`. */
export interface HandlerName {
  readonly moduleRoot: string;
  readonly moduleName: string;
  readonly exportPath: string;
}

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;
const EXTENSIONS = ['', '.js', '.mjs', '.cjs'] as const;

/**
 * Split a handler setting like the runtime does.
 * @throws MalformedHandlerNameError (`Runtime.MalformedHandlerName`) for `..` or a name without a dot.
 */
export function parseHandlerName(handlerString: string): HandlerName {
  if (handlerString.includes('..')) {
    throw new MalformedHandlerNameError(
      `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const file = basename(handlerString);
  const match = FUNCTION_EXPR.exec(file);
  if (!match) throw new MalformedHandlerNameError('Bad handler');
  const moduleRoot = handlerString.substring(0, handlerString.indexOf(file)).replace(/\/$/, '');
  return { moduleRoot, moduleName: match[1] as string, exportPath: match[2] as string };
}

/**
 * Load the module named by `handlerString` from `taskRoot` and return its handler function.
 * Errors thrown while the module itself evaluates pass through as the runtime passes them
 * (a syntax error becomes `Runtime.UserCodeSyntaxError`, a missing CommonJS dependency
 * `Runtime.ImportModuleError`).
 *
 * @throws MalformedHandlerNameError | ImportModuleError | HandlerNotFoundError | UserCodeSyntaxError
 */
export async function loadUserHandler(handlerString: string, taskRoot: string): Promise<UserHandler> {
  const name = parseHandlerName(handlerString);
  const module = await loadModule(taskRoot, name);
  return findHandler(module, name.exportPath, handlerString);
}

async function loadModule(taskRoot: string, name: HandlerName): Promise<unknown> {
  const withoutExtension = resolve(taskRoot, name.moduleRoot, name.moduleName);
  try {
    for (const extension of EXTENSIONS) {
      const file = withoutExtension + extension;
      // A file URL, not the bare path: `#`, `?` or `%` in a directory name must not be read as URL syntax.
      if (isFile(file)) return await import(pathToFileURL(file).href);
    }
    // Not a file next to the task root: a package name, resolved like the runtime does (no NODE_PATH).
    const require = createRequire(import.meta.url);
    const resolved = require.resolve(name.moduleName, { paths: [taskRoot, join(taskRoot, name.moduleRoot)] });
    return require(resolved) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) throw new UserCodeSyntaxError(error);
    if (error instanceof Error && (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') throw new ImportModuleError(error);
    throw error;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The export named by `exportPath` (dots walk into objects), on the module namespace or else on
 * its default export.
 * @throws HandlerNotFoundError when it is missing or not a function.
 */
export function findHandler(module: unknown, exportPath: string, handlerString: string): UserHandler {
  const path = exportPath.split('.');
  let handler = lookupExport(module, path);
  if (!handler && module !== null && typeof module === 'object' && 'default' in module) {
    handler = lookupExport((module as { default: unknown }).default, path);
  }
  if (!handler) {
    throw new HandlerNotFoundError(`${handlerString} is undefined or not exported`);
  }
  if (typeof handler !== 'function') throw new HandlerNotFoundError(`${handlerString} is not a function`);
  return handler as UserHandler;
}

/**
 * Walk `path` from `root` (`['handlers', 'main']`), through objects and functions alike, as the
 * runtime does: a handler may hang off an exported function too. Undefined where the path breaks.
 */
export function lookupExport(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || (typeof node !== 'object' && typeof node !== 'function')) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
