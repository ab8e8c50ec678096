// The zip writer against independent readers (Info-ZIP's unzip, Python's zipfile) where the
// machine has them, and the built layer's layout as contract.md names it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildLayer, type LayerReport } from '../../../infra/build-layer.ts';
import { createZip, extractZip, readZip } from '../../../infra/zip.ts';

let work = '';
let layer: LayerReport;
let layerZip: Buffer;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'lambda-observe-zip-'));
  layer = await buildLayer({ outFile: join(work, 'layer.zip') });
  layerZip = await readFile(layer.outFile);
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

function available(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const sample = [
  { path: 'bin/run', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755 },
  { path: 'data/text.txt', data: Buffer.from('lambda-observe '.repeat(200)) },
  { path: 'data/empty', data: Buffer.alloc(0) },
  { path: 'data/ünïcode.json', data: Buffer.from('{"a":1}') },
];

describe('zip writer', () => {
  test('round-trips files, directories and modes; the same input gives the same bytes', () => {
    const zip = createZip(sample);
    const entries = readZip(zip);
    assert.deepEqual(
      entries.map((e) => e.path),
      ['bin/', 'bin/run', 'data/', 'data/text.txt', 'data/empty', 'data/ünïcode.json'],
    );
    const byPath = new Map(entries.map((e) => [e.path, e]));
    assert.equal(byPath.get('bin/run')?.mode, 0o755);
    assert.equal(byPath.get('data/text.txt')?.mode, 0o644);
    assert.equal(byPath.get('data/text.txt')?.data.toString(), 'lambda-observe '.repeat(200));
    assert.equal(byPath.get('bin/')?.directory, true);
    assert.ok(zip.length < 1500, `repetitive text is deflated (${zip.length} bytes for 3000 of text)`);
    assert.deepEqual(createZip(sample), zip);
  });

  test('Info-ZIP unzip reads it: integrity, names and Unix modes', { skip: !available('unzip', ['-v']) && 'no unzip here' }, async () => {
    const file = join(work, 'sample.zip');
    await writeFile(file, createZip(sample));
    execFileSync('unzip', ['-tq', file]);
    const dir = join(work, 'unzipped');
    execFileSync('unzip', ['-q', file, '-d', dir]);
    assert.equal((await stat(join(dir, 'bin/run'))).mode & 0o777, 0o755);
    assert.equal(await readFile(join(dir, 'data/ünïcode.json'), 'utf8'), '{"a":1}');
  });

  test('Python\'s zipfile reads it', { skip: !available('python3', ['-c', 'import zipfile']) && 'no python3 here' }, async () => {
    const file = join(work, 'sample-py.zip');
    await writeFile(file, createZip(sample));
    const listing = execFileSync('python3', ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print("\\n".join(f"{i.filename} {i.external_attr >> 16:o}" for i in z.infolist()))', file], { encoding: 'utf8' });
    assert.match(listing, /^bin\/run 100755$/m);
    assert.match(listing, /^data\/text\.txt 100644$/m);
  });
});

describe('the layer zip', () => {
  test('has the layout of contract.md, executables marked executable', async () => {
    const entries = new Map(readZip(layerZip).map((e) => [e.path, e]));
    assert.equal(entries.get('lambda-observe-wrapper')?.mode, 0o755);
    assert.equal(entries.get('extensions/lambda-observe')?.mode, 0o755);
    for (const path of [
      'nodejs/node_modules/lambda-observe/package.json',
      'nodejs/node_modules/lambda-observe/dist/index.mjs',
      'nodejs/node_modules/lambda-observe/dist/middy.mjs',
      'nodejs/node_modules/lambda-observe/dist/layer/handler.mjs',
      'nodejs/node_modules/lambda-observe/dist/layer/extension.cjs',
      'nodejs/node_modules/@opentelemetry/api/package.json',
      'nodejs/node_modules/@opentelemetry/api/dist/index.cjs',
      'nodejs/node_modules/@opentelemetry/api/dist/index.mjs',
    ]) {
      assert.ok(entries.has(path), `${path} in the layer`);
    }
    assert.ok(![...entries.keys()].some((p) => p.endsWith('.map') || p.endsWith('.d.ts') || p.endsWith('.d.mts')), 'no maps or declarations');
    const pkg = JSON.parse(entries.get('nodejs/node_modules/lambda-observe/package.json')!.data.toString());
    assert.equal(pkg.type, 'module');
    assert.deepEqual(pkg.exports, { '.': './dist/index.mjs', './middy': './dist/middy.mjs', './package.json': './package.json' });
    assert.equal(layer.zippedBytes, layerZip.length);
  });

  test('the wrapper points _HANDLER at the bundled handler module, relative to where the layer is unpacked', async () => {
    const opt = join(work, 'opt');
    await extractZip(layerZip, opt);
    const script = 'printf "%s|%s" "$_HANDLER" "$LAMBDA_OBSERVE_HANDLER"';
    const out = execFileSync(join(opt, 'lambda-observe-wrapper'), ['/bin/sh', '-c', script], {
      env: { PATH: process.env.PATH, _HANDLER: 'src/api/users.handler' },
      encoding: 'utf8',
    });
    assert.equal(out, `${opt}/nodejs/node_modules/lambda-observe/dist/layer/handler.handler|src/api/users.handler`);
    // Applied twice (or configured by hand), it keeps the saved handler.
    const again = execFileSync(join(opt, 'lambda-observe-wrapper'), ['/bin/sh', '-c', script], {
      env: { PATH: process.env.PATH, _HANDLER: `${opt}/nodejs/node_modules/lambda-observe/dist/layer/handler.handler`, LAMBDA_OBSERVE_HANDLER: 'app.handler' },
      encoding: 'utf8',
    });
    assert.equal(again, `${opt}/nodejs/node_modules/lambda-observe/dist/layer/handler.handler|app.handler`);
  });
});
