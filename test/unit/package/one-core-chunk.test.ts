// infra/one-core-chunk.ts on a small module graph shaped like lambda-observe's: two entry points
// sharing a core, and lazily imported modules (one also imported statically by an entry) that
// use parts of the core. What importing the main entry loads must be one chunk, and every module
// must still export, and evaluate, what it did.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { build, type Metafile } from 'esbuild';
import { staticGraph } from '../../../infra/bundle-metafile.ts';
import { builtinShims } from '../../../infra/builtin-shims.ts';
import { oneCoreChunk } from '../../../infra/one-core-chunk.ts';

let dir = '';

const SOURCES: Record<string, string> = {
  'src/index.ts': `export { observe } from './observe.ts';\nexport { getLogger } from './logger.ts';\nexport { loadBuiltin, loadExporter } from './exporters.ts';`,
  'src/middy.ts': `import { describe } from './core.ts';\nexport const middleware = () => describe('middy');`,
  'src/cli.ts': `#!/usr/bin/env node\nimport { render } from './render.ts';\nexport const run = () => render('cli');`,
  'src/observe.ts': `import { describe } from './core.ts';\nexport const observe = (f: () => string) => () => describe(f());`,
  'src/logger.ts': `import { format } from './format.ts';\nexport const getLogger = (name: string) => ({ info: (m: string) => format(name, m) });`,
  'src/exporters.ts': `export const loadExporter = async () => (await import('./lazy.ts')).exporter('x');\nexport const loadBuiltin = async () => (await import('node:os')).default.EOL;`,
  'src/core.ts': `import { format } from './format.ts';\nexport const describe = (what: string) => format('core', what);\n(globalThis as any).coreEvaluations = ((globalThis as any).coreEvaluations ?? 0) + 1;`,
  'src/format.ts': `export const format = (a: string, b: string) => \`\${a}:\${b}\`;`,
  'src/lazy.ts': `import { format } from './format.ts';\nimport { render } from './render.ts';\nexport const exporter = (what: string) => render(format('lazy', what));`,
  'src/render.ts': `export const render = (text: string) => \`[\${text}]\`;`,
};

async function bundle(withPlugin: boolean): Promise<{ out: string; metafile: Metafile }> {
  const out = join(dir, withPlugin ? 'with' : 'without');
  // As in the real builds: builtins through their shims (an import() of one gets a wrapper too).
  const plugins = withPlugin ? [oneCoreChunk(join(dir, 'src/index.ts')), builtinShims()] : [builtinShims()];
  const result = await build({
    absWorkingDir: dir,
    entryPoints: { index: 'src/index.ts', middy: 'src/middy.ts', cli: 'src/cli.ts' },
    outdir: out,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    logLevel: 'silent',
    plugins,
  });
  return { out, metafile: result.metafile };
}

/** The chunks (not entry points) that importing `entry` loads. */
function staticChunks(metafile: Metafile, out: string, entry: string): string[] {
  const outputs = metafile.outputs;
  const key = Object.keys(outputs).find((name) => name.endsWith(`${out.split('/').pop()}/${entry}`)) as string;
  return [...staticGraph(outputs, [key])].filter((name) => name.includes('/chunks/'));
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'lambda-observe-one-core-'));
  for (const [path, text] of Object.entries(SOURCES)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('one core chunk', () => {
  test('without the plugin the main entry loads several chunks (the shape the plugin is for)', async () => {
    const { out, metafile } = await bundle(false);
    assert.ok(staticChunks(metafile, out, 'index.mjs').length > 1);
  });

  test('with it the main entry and the other entries load one and the same chunk', async () => {
    const { out, metafile } = await bundle(true);
    const core = staticChunks(metafile, out, 'index.mjs');
    assert.equal(core.length, 1);
    assert.ok(staticChunks(metafile, out, 'middy.mjs').includes(core[0] as string));
    assert.ok(staticChunks(metafile, out, 'cli.mjs').includes(core[0] as string));
  });

  test('every module exports and does what it did; the core evaluates once; the hashbang stays first', async () => {
    const { out } = await bundle(true);
    const url = (name: string) => pathToFileURL(join(out, name)).href;
    const index = await import(url('index.mjs'));
    const middy = await import(url('middy.mjs'));
    const cli = await import(url('cli.mjs'));
    assert.deepEqual(Object.keys(index).sort(), ['getLogger', 'loadBuiltin', 'loadExporter', 'observe']);
    assert.deepEqual(Object.keys(middy), ['middleware']);
    assert.deepEqual(Object.keys(cli), ['run']);
    assert.equal(index.observe(() => 'f')(), 'core:f');
    assert.equal(index.getLogger('app').info('m'), 'app:m');
    assert.equal(await index.loadExporter(), '[lazy:x]');
    assert.equal(await index.loadBuiltin(), '\n');
    assert.equal(middy.middleware(), 'core:middy');
    assert.equal(cli.run(), '[cli]');
    assert.equal((globalThis as { coreEvaluations?: number }).coreEvaluations, 1);
    const { readFileSync } = await import('node:fs');
    assert.ok(readFileSync(join(out, 'cli.mjs'), 'utf8').startsWith('#!/usr/bin/env node\n'));
  });
});
