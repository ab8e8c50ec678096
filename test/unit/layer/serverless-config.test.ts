// serverless.yml checked offline, as far as that goes without AWS: it parses, states its
// framework version, deploys the artifact `npm run build:layer` makes, attaches the layer and the
// exec wrapper to every function, packages each handler's file, and every handler resolves the
// way Lambda resolves it with the layer attached (its imports of lambda-observe and
// @opentelemetry/api come from the layer).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { buildLayer, LAYER_ZIP, LAYER_ZIP_RELATIVE } from '../../../infra/build-layer.ts';
import { extractZip } from '../../../infra/zip.ts';
import { parseHandlerName } from '../../../src/layer/resolve-handler.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const WRAPPER = '/opt/lambda-observe-wrapper';

type Json = Record<string, any>;
let config: Json;
let work = '';

before(async () => {
  config = parseYaml(await readFile(join(root, 'serverless.yml'), 'utf8')) as Json;
  work = await mkdtemp(join(tmpdir(), 'lambda-observe-sls-'));
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('serverless.yml', () => {
  test('is a Serverless Framework v3 service on a Node.js 22 runtime', () => {
    assert.equal(String(config.frameworkVersion), '3');
    assert.equal(config.provider.name, 'aws');
    assert.equal(config.provider.runtime, 'nodejs22.x');
  });

  test('deploys the layer artifact that `npm run build:layer` writes', async () => {
    const layers = Object.entries(config.layers as Json);
    assert.equal(layers.length, 1);
    const [name, layer] = layers[0]!;
    assert.equal(layer.package.artifact, LAYER_ZIP_RELATIVE);
    assert.equal(join(root, layer.package.artifact), LAYER_ZIP);
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    assert.equal(pkg.scripts['build:layer'], 'node infra/build-layer.ts', 'the npm script that builds it');
    // Serverless names a layer's CloudFormation resource <Name>LambdaLayer.
    const logicalId = `${name[0]!.toUpperCase()}${name.slice(1)}LambdaLayer`;
    assert.deepEqual(config.provider.layers, [{ Ref: logicalId }], 'every function gets this layer');
  });

  test('every function runs through the layer\'s exec wrapper and packages its handler file', () => {
    assert.equal(config.provider.environment.AWS_LAMBDA_EXEC_WRAPPER, WRAPPER);
    assert.deepEqual(config.package, { individually: true, patterns: ['!**'] });
    for (const [name, fn] of Object.entries(config.functions as Json)) {
      assert.equal(fn.layers, undefined, `${name}: no function-level layers replacing the provider's`);
      assert.equal(fn.environment?.AWS_LAMBDA_EXEC_WRAPPER, undefined, `${name}: keeps the wrapper`);
      const { moduleRoot, moduleName } = parseHandlerName(fn.handler);
      const file = ['.mjs', '.cjs', '.js'].map((ext) => `${moduleRoot ? `${moduleRoot}/` : ''}${moduleName}${ext}`).find((f) => existsSync(join(root, f)));
      assert.ok(file, `${name}: ${fn.handler} names an existing file`);
      assert.deepEqual(fn.package?.patterns, [file], `${name}: its package holds ${file}`);
    }
  });

  test('every handler resolves and exports a function, with the built layer standing in for /opt', async () => {
    const report = await buildLayer({ outFile: join(work, 'layer.zip') });
    const opt = join(work, 'opt');
    await extractZip(await readFile(report.outFile), opt);
    // The wrapper's path is the one the layer has at its root.
    assert.ok(existsSync(join(opt, WRAPPER.slice('/opt/'.length))));
    const handlers = Object.values(config.functions as Json).map((fn) => fn.handler as string);
    const resolver = new URL('../../../src/layer/resolve-handler.ts', import.meta.url).href;
    const hook = fileURLToPath(new URL('../../e2e/layer-node-path-hook.mjs', import.meta.url));
    // A child process, as Lambda runs it: NODE_PATH at the layer, ESM resolution from NODE_PATH.
    const script = [
      `const { loadUserHandler } = await import(${JSON.stringify(resolver)});`,
      `for (const h of ${JSON.stringify(handlers)}) { const fn = await loadUserHandler(h, ${JSON.stringify(root)}); console.log(h, typeof fn); }`,
    ].join('\n');
    const out = execFileSync(process.execPath, ['--import', hook, '--input-type=module', '-e', script], {
      cwd: work,
      env: { PATH: process.env.PATH, NODE_PATH: `${opt}/nodejs/node_modules` },
      encoding: 'utf8',
    });
    assert.deepEqual(out.trim().split('\n'), handlers.map((h) => `${h} function`));
  });
});
