// The npm package as `npm run build` (infra/build-package.ts) builds it: what it imports at run
// time is what package.json promises users, its entry points are where package.json says, and
// bundling kept the public exports.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildPackage, type PackageReport } from '../../../infra/build-package.ts';

const REPO = resolve(import.meta.dirname, '../../..');
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, string | { types: string; default: string }>;
};

let root = '';
let report: PackageReport;

before(async () => {
  // A package root of its own: dist/, package.json and the repository's node_modules, as installed.
  root = mkdtempSync(join(tmpdir(), 'lambda-observe-package-'));
  report = await buildPackage({ outDir: join(root, 'dist') });
  cpSync(join(REPO, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
});

after(() => rmSync(root, { recursive: true, force: true }));

function files(suffix: string): string[] {
  return readdirSync(join(root, 'dist'), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith(suffix));
}

/** A bare specifier's package name (`@scope/name/sub` → `@scope/name`). */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
}

describe('npm package build', () => {
  test('imports at run time only packages in `dependencies` (and Node builtins)', () => {
    const imported = new Set<string>();
    for (const file of files('.js')) {
      const code = readFileSync(join(root, 'dist', file), 'utf8');
      for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s*)["']([^"'./][^"']*)["']/g)) {
        const specifier = match[1] as string;
        if (!specifier.startsWith('node:')) imported.add(packageName(specifier));
      }
      // esbuild's stand-in for a require() it could not bundle throws at run time in an ES module.
      assert.ok(!code.includes('Dynamic require of'), `${file} has a require() esbuild could not resolve`);
    }
    assert.deepEqual([...imported].sort(), ['@opentelemetry/api']);
    for (const name of imported) assert.ok(name in manifest.dependencies, `${name} is imported by dist/ but not a dependency`);
  });

  test('declarations reach only `dependencies` (and the middleware host, @middy/core, its users install)', () => {
    const named = new Set<string>();
    for (const file of files('.d.ts')) {
      const text = readFileSync(join(root, 'dist', file), 'utf8');
      for (const match of text.matchAll(/(?:from\s+|import\()\s*['"]([^'"./][^'"]*)['"]/g)) named.add(packageName(match[1] as string));
    }
    named.delete('lambda-observe'); // @example comments
    // A package without types of its own has them in @types/ (aws-lambda → @types/aws-lambda).
    const installed = (name: string) => name in manifest.dependencies || `@types/${name.replace(/^@(.*)\//, '$1__')}` in manifest.dependencies;
    for (const name of named) assert.ok(installed(name) || name === '@middy/core', `dist/ declarations name ${name}`);
  });

  test('every path package.json names exists, and the bin is executable by node', () => {
    const paths = [manifest.main, manifest.types, ...Object.values(manifest.bin)];
    for (const target of Object.values(manifest.exports)) paths.push(...(typeof target === 'string' ? [target] : [target.types, target.default]));
    for (const path of paths) assert.ok(readFileSync(join(root, path)), path);
    assert.match(readFileSync(join(root, manifest.bin['lambda-observe'] as string), 'utf8'), /^#!\/usr\/bin\/env node\n/);
    assert.ok(report.coldStartBytes.index > 0 && report.lazyBytes > 0);
  });

  test('the bundled entries export what src/ does', async () => {
    const script = `const [a, b] = await Promise.all([import('lambda-observe'), import('lambda-observe/middy')]);
      process.stdout.write(JSON.stringify([Object.keys(a).sort(), Object.keys(b).sort()]));`;
    const [index, middy] = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })) as string[][];
    assert.deepEqual(index, Object.keys(await import('../../../src/index.ts')).sort());
    assert.deepEqual(middy, Object.keys(await import('../../../src/middy.ts')).sort());
  });
});
