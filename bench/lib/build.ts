/**
 * What the benchmark measures is what users run: the npm package as `npm run build`
 * (infra/build-package.ts) builds it, into .cache/bench/dist (see variants.ts; src/ through Node's
 * type stripping would add the stripper to every cold start), and a minified single-file esbuild
 * bundle of src/index.ts standing in for the layer's copy of the library until
 * `npm run build:layer` exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BENCH, BUNDLE_ENTRY, DIST_ENTRY, HANDLERS, LAYER_DIR, LAYER_ENTRY, OTEL_PARTS_ENTRY, PACKAGE_OUT, ROOT } from './variants.ts';

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
}

/** The real layer, from `infra/build-layer.ts` (what `npm run build:layer` runs), unpacked as Lambda would. */
export interface LayerBuild {
  readonly ms: number;
  readonly zippedBytes: number;
  /** Minified bytes of the static import graph of the `lambda-observe` entry: what an import loads. */
  readonly indexBytes: number;
  /** The same for the layer's handler module (zero-code wrapping). */
  readonly handlerBytes: number;
  /** Lazily imported chunks (exporters), loaded only when configured. */
  readonly lazyBytes: number;
}

export function buildPackage(): PackageBuild {
  const started = performance.now();
  // The package's own build, in a child: the same command as `npm run build`, into our directory.
  const script = join(ROOT, 'infra/build-package.ts');
  const run = spawnSync(process.execPath, [script, '--out', PACKAGE_OUT], { cwd: ROOT, encoding: 'utf8' });
  // tsc's complaints (it still emits) come on stderr with a non-zero exit; a failed bundle leaves no entry.
  const diagnostics = (run.stderr.match(/error TS\d+/g) ?? []).length;
  if (!existsSync(DIST_ENTRY)) {
    throw new Error(`infra/build-package.ts --out ${PACKAGE_OUT} did not produce ${DIST_ENTRY}:\n${run.stdout}${run.stderr}`);
  }
  return { ms: performance.now() - started, diagnostics };
}

/** One minified ES module file for Node, as a function is deployed (esbuild, everything bundled). */
async function bundleOneFile(entryPoint: string, outfile: string) {
  const esbuild = await import('esbuild');
  mkdirSync(dirname(outfile), { recursive: true });
  return esbuild.build({
    entryPoints: [entryPoint],
    outfile,
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
}

export async function buildBundle(): Promise<BundleBuild> {
  const started = performance.now();
  const result = await bundleOneFile(join(ROOT, 'src/index.ts'), BUNDLE_ENTRY);
  const code = readFileSync(BUNDLE_ENTRY);
  const byPackage = new Map<string, number>();
  const output = Object.values(result.metafile.outputs)[0];
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(path);
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return {
    ms: performance.now() - started,
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    byPackage: [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes),
  };
}

/**
 * The stock-OpenTelemetry-parts control, handler and SDK parts in one file (bench/'s own copies of
 * the packages, from bench/package.json). Returns its minified size.
 */
export async function buildOtelParts(): Promise<number> {
  await bundleOneFile(join(HANDLERS, 'otel-parts.mjs'), OTEL_PARTS_ENTRY);
  return statSync(OTEL_PARTS_ENTRY).size;
}

/**
 * Build the layer with the layer's own build (into bench/.build, not dist/) and unpack it. Undefined
 * when the repository has no layer build; throws when it has one that fails.
 */
export async function buildLayer(): Promise<LayerBuild | undefined> {
  const script = join(ROOT, 'infra/build-layer.ts');
  if (!existsSync(script)) return undefined;
  const started = performance.now();
  const { buildLayer: build } = (await import(script)) as typeof import('../../infra/build-layer.ts');
  const { extractZip } = (await import(join(ROOT, 'infra/zip.ts'))) as typeof import('../../infra/zip.ts');
  const outFile = join(BENCH, '.build/layer.zip');
  const report = await build({ outFile });
  rmSync(LAYER_DIR, { recursive: true, force: true });
  await extractZip(readFileSync(outFile), LAYER_DIR);
  if (!existsSync(LAYER_ENTRY)) throw new Error(`the layer has no ${LAYER_ENTRY}`);
  return {
    ms: performance.now() - started,
    zippedBytes: report.zippedBytes,
    indexBytes: report.coldStartBytes.index,
    handlerBytes: report.coldStartBytes.handler,
    lazyBytes: report.lazyBytes,
  };
}

function packageOf(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) return 'lambda-observe';
  const rest = path.slice(at + 'node_modules/'.length).split('/');
  return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
}
