// The layer's handler resolver against real files in a temporary task root: every handler shape
// the Node.js Lambda runtime accepts, and the runtime's own error types for the ones it refuses.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadUserHandler, parseHandlerName } from '../../../src/layer/resolve-handler.ts';

let root = '';

const files: Record<string, string> = {
  'plain-cjs.js': "exports.handler = async () => 'plain-cjs';",
  'exports-object.cjs': "module.exports = { handler: async () => 'exports-object' };",
  'assigned-later.cjs': "const handlers = {}; handlers.handler = async () => 'assigned-later'; module.exports = handlers;",
  'esm.mjs': "export const handler = async () => 'esm'; export const obj = { inner: { handler: async () => 'nested' } };",
  'default-object.mjs': "export default { handler: async () => 'default-object' };",
  'default-function.mjs': "export default async function main() { return 'default-function'; }",
  'typed/package.json': '{ "type": "module" }',
  'typed/app.js': "export const handler = async () => 'type-module-js';",
  'src/api/users.mjs': "export const handler = async () => 'nested-path';",
  'both.js': "exports.handler = async () => 'js-first';",
  'both.mjs': "export const handler = async () => 'mjs-second';",
  'node_modules/pkg-handler/index.js': "exports.handler = async () => 'package';",
  'broken.mjs': 'export const handler = async () => {',
  'missing-dep.cjs': "require('definitely-not-installed-anywhere'); exports.handler = async () => 'never';",
  'not-function.mjs': 'export const handler = 42;',
  'dir #1/weird.mjs': "export const handler = async () => 'url-safe';",
};

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'lambda-observe-resolve-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function call(handlerString: string): Promise<unknown> {
  const handler = await loadUserHandler(handlerString, root);
  return handler({}, {});
}

async function rejectsWith(handlerString: string, name: string, message: RegExp): Promise<void> {
  await assert.rejects(loadUserHandler(handlerString, root), (error: Error) => {
    assert.equal(error.name, name, `${handlerString}: ${error.name}: ${error.message}`);
    assert.match(error.message, message);
    return true;
  });
}

describe('handler resolution like the Node.js runtime', () => {
  test('CommonJS: exports.handler, module.exports = {…}, properties assigned later', async () => {
    assert.equal(await call('plain-cjs.handler'), 'plain-cjs');
    assert.equal(await call('exports-object.handler'), 'exports-object');
    assert.equal(await call('assigned-later.handler'), 'assigned-later');
  });

  test('ES modules: named export, nested export path, a property of the default export, the default export itself', async () => {
    assert.equal(await call('esm.handler'), 'esm');
    assert.equal(await call('esm.obj.inner.handler'), 'nested');
    assert.equal(await call('default-object.handler'), 'default-object');
    assert.equal(await call('default-function.default'), 'default-function');
  });

  test('.js under a package.json with "type": "module", nested paths, absolute paths, a directory name with URL characters', async () => {
    assert.equal(await call('typed/app.handler'), 'type-module-js');
    assert.equal(await call('src/api/users.handler'), 'nested-path');
    assert.equal(await call(`${root}/esm.handler`), 'esm');
    assert.equal(await call('dir #1/weird.handler'), 'url-safe');
  });

  test('extensions are tried in the runtime\'s order: none, .js, .mjs, .cjs; then a package from the task root', async () => {
    assert.equal(await call('both.handler'), 'js-first');
    assert.equal(await call('pkg-handler.handler'), 'package');
  });

  test('what the runtime refuses fails with the runtime\'s own error types', async () => {
    await rejectsWith('missing.handler', 'Runtime.ImportModuleError', /^Error: Cannot find module 'missing'/);
    await rejectsWith('esm.nope', 'Runtime.HandlerNotFound', /^esm\.nope is undefined or not exported$/);
    await rejectsWith('esm.obj.nope.handler', 'Runtime.HandlerNotFound', /is undefined or not exported/);
    await rejectsWith('not-function.handler', 'Runtime.HandlerNotFound', /^not-function\.handler is not a function$/);
    await rejectsWith('nodot', 'Runtime.MalformedHandlerName', /^Bad handler$/);
    await rejectsWith('../outside.handler', 'Runtime.MalformedHandlerName', /is not a valid handler name/);
    await rejectsWith('broken.handler', 'Runtime.UserCodeSyntaxError', /SyntaxError/);
    await rejectsWith('missing-dep.handler', 'Runtime.ImportModuleError', /Cannot find module 'definitely-not-installed-anywhere'/);
  });

  test('handler names split like the runtime splits them', () => {
    assert.deepEqual(parseHandlerName('src/api/users.handler'), { moduleRoot: 'src/api', moduleName: 'users', exportPath: 'handler' });
    assert.deepEqual(parseHandlerName('index.obj.handler'), { moduleRoot: '', moduleName: 'index', exportPath: 'obj.handler' });
    assert.deepEqual(parseHandlerName('/var/task/app.main'), { moduleRoot: '/var/task', moduleName: 'app', exportPath: 'main' });
  });
});
