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

  test("the @opentelemetry/api range lies inside every bundled package's peer range", () => {
    // Bundled, the SDK packages' peer dependency on the API becomes ours to state.
    const ours = bounds(manifest.dependencies['@opentelemetry/api'] as string);
    const bundled = [...readFileSync(join(root, 'dist/THIRD-PARTY.md'), 'utf8').matchAll(/^- (\S+) /gm)].map((m) => m[1] as string);
    assert.ok(bundled.includes('@opentelemetry/sdk-trace'));
    for (const name of bundled) {
      const peer = (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { peerDependencies?: Record<string, string> })
        .peerDependencies?.['@opentelemetry/api'];
      if (!peer) continue;
      const theirs = bounds(peer);
      assert.ok(compare(ours.min, theirs.min) >= 0 && compare(ours.below, theirs.below) <= 0, `${name} wants @opentelemetry/api ${peer}`);
    }
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

type Version = [number, number, number];

/** The versions a range admits, [min, below), for the forms npm ranges here take: ~x, ^x, >=x <y, x. */
function bounds(range: string): { min: Version; below: Version } {
  const parse = (text: string) => text.split('.').map(Number) as Version;
  const exact = /^(\d+\.\d+\.\d+)$/.exec(range);
  if (exact) {
    const [a, b, c] = parse(exact[1] as string);
    return { min: [a, b, c], below: [a, b, c + 1] };
  }
  const tilde = /^~(\d+\.\d+\.\d+)$/.exec(range);
  if (tilde) {
    const min = parse(tilde[1] as string);
    return { min, below: [min[0], min[1] + 1, 0] };
  }
  const caret = /^\^(\d+\.\d+\.\d+)$/.exec(range);
  if (caret) {
    const min = parse(caret[1] as string);
    return { min, below: [min[0] + 1, 0, 0] };
  }
  const span = /^>=(\d+\.\d+\.\d+) <(\d+\.\d+\.\d+)$/.exec(range);
  if (span) return { min: parse(span[1] as string), below: parse(span[2] as string) };
  throw new Error(`unexpected range ${range}`);
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}
