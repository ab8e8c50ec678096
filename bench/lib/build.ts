/**
 * What the benchmark measures is what users run: the npm package as `tsc -p tsconfig.build.json`
 * emits it (into .cache/bench/dist, see variants.ts; src/ through Node's type stripping would add the stripper to every cold
 * start), and a minified single-file esbuild bundle of src/index.ts standing in for the layer's
 * copy of the library until `npm run build:layer` exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BUNDLE_ENTRY, DIST_ENTRY, PACKAGE_OUT, ROOT } from './variants.ts';

export interface PackageBuild {
  readonly ms: number;
  /** tsc's complaints (type errors in work in progress do not stop it emitting). */
  readonly diagnostics: number;
}

export interface BundleBuild {
  readonly ms: number;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Bytes in the minified output per npm package (or `lambda-observe` for our own src/). */
  readonly byPackage: ReadonlyArray<{ name: string; bytes: number }>;
  readonly layerZipBytes: number | undefined;
}

export function buildPackage(): PackageBuild {
  const started = performance.now();
  const tsc = join(ROOT, 'node_modules/.bin/tsc');
  rmSync(PACKAGE_OUT, { recursive: true, force: true });
  const run = spawnSync(tsc, ['-p', 'tsconfig.build.json', '--outDir', PACKAGE_OUT], { cwd: ROOT, encoding: 'utf8' });
  const diagnostics = (run.stdout.match(/error TS\d+/g) ?? []).length;
  if (!existsSync(DIST_ENTRY)) {
    throw new Error(`tsc -p tsconfig.build.json --outDir ${PACKAGE_OUT} did not produce ${DIST_ENTRY}:\n${run.stdout}${run.stderr}`);
  }
  return { ms: performance.now() - started, diagnostics };
}

export async function buildBundle(): Promise<BundleBuild> {
  const started = performance.now();
  const esbuild = await import('esbuild');
  mkdirSync(dirname(BUNDLE_ENTRY), { recursive: true });
  const result = await esbuild.build({
    entryPoints: [join(ROOT, 'src/index.ts')],
    outfile: BUNDLE_ENTRY,
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    metafile: true,
    logLevel: 'silent',
    // CommonJS dependencies inside an ES module bundle still call require() for Node built-ins.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  });
  const code = readFileSync(BUNDLE_ENTRY);
  const byPackage = new Map<string, number>();
  const output = Object.values(result.metafile.outputs)[0];
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(path);
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  const layerZip = join(ROOT, 'dist/layer.zip');
  return {
    ms: performance.now() - started,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    byPackage: [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes),
    layerZipBytes: existsSync(layerZip) ? statSync(layerZip).size : undefined,
  };
}

function packageOf(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) return 'lambda-observe';
  const rest = path.slice(at + 'node_modules/'.length).split('/');
  return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
}
