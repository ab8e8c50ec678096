/**
 * Builds the npm package: `npm run build` writes dist/ (what `npm pack` ships, see package.json
 * `files`).
 *
 *   dist/index.js, dist/middy.js     `lambda-observe`, `lambda-observe/middy` (ESM)
 *   dist/cli/main.js                 the `lambda-observe` bin
 *   dist/chunks/*.js                 code the entries share (one module instance for all three: a
 *                                    handler the CLI loads that imports `lambda-observe` gets the
 *                                    CLI's own lambda-observe) and the lazily imported exporters
 *   dist/*.js.map                    source maps (read only under --enable-source-maps)
 *   dist/**\/*.d.ts                  tsc's declarations, only those the two entries' types reach
 *   dist/THIRD-PARTY.md, LICENSE     the bundled packages and their license's text
 *
 * Why bundled: unbundled, a cold start resolved, read, compiled and linked ≈ 255 ES modules one
 * by one (≈ 75 of ours, ≈ 180 of the OpenTelemetry SDK's), most of the package's cold-start cost.
 * The OpenTelemetry SDK pieces are bundled in (they are devDependencies); @opentelemetry/api stays
 * external: it is a dependency that a function's own `@opentelemetry/api` must dedupe with, so
 * that both see one global registry (tracer, meter and propagator providers, context manager).
 * Builtins come through `process.getBuiltinModule()` (infra/builtin-shims.ts), as in the layer.
 *
 * Usage: node infra/build-package.ts [--out dir]   (dir defaults to dist/; the bench and the CLI
 * tests build into their own directories)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { APACHE_LICENSE, entrySizes, kb, thirdPartyNotice } from './bundle-metafile.ts';
import { libraryBundleOptions } from './bundle-options.ts';
import { LAYER_ZIP } from './build-layer.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PACKAGE_DIST = join(ROOT, 'dist');

/** The entry points, by output path (without .js) under dist/: package.json `exports` and `bin`. */
const ENTRIES = { index: 'src/index.ts', middy: 'src/middy.ts', 'cli/main': 'src/cli/main.ts' } as const;
/** The declarations package.json `types`/`exports` point at; only what they reach is kept. */
const TYPE_ENTRIES = ['index.d.ts', 'middy.d.ts'];
/** Imported at run time, never bundled (see above); both are `dependencies`. */
const EXTERNAL = ['@opentelemetry/api', '@opentelemetry/api/*'];

export interface PackageReport {
  readonly outDir: string;
  /** tsc's output when it complained (type errors in work in progress do not stop the build). */
  readonly tscOutput: string;
  readonly tscErrors: number;
  /** Bytes of the static import graph of each entry: what importing it loads. */
  readonly coldStartBytes: Readonly<Record<keyof typeof ENTRIES, number>>;
  /** Lazily imported chunks (exporters), loaded only when configured. */
  readonly lazyBytes: number;
  readonly files: number;
}

/** Bundle the JavaScript, emit and prune the declarations, write the third-party notice. */
export async function buildPackage(options: { outDir?: string } = {}): Promise<PackageReport> {
  const outDir = resolve(options.outDir ?? PACKAGE_DIST);
  clean(outDir);

  const bundle = await build({
    ...libraryBundleOptions(),
    entryPoints: ENTRIES,
    outdir: outDir,
    external: EXTERNAL,
    // Mappings only: readable stacks under --enable-source-maps, which then reads each map at load
    // (the sources themselves would triple the maps for nothing a stack trace needs).
    sourcemap: 'linked',
    sourcesContent: false,
  });

  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (!existsSync(join(outDir, 'index.d.ts'))) throw new Error(`tsc wrote no declarations:\n${tsc.stdout}${tsc.stderr}`);
  pruneDeclarations(outDir);
  writeFileSync(join(outDir, 'THIRD-PARTY.md'), thirdPartyNotice(bundle.metafile, 'package'));
  copyFileSync(APACHE_LICENSE, join(outDir, 'LICENSE'));

  const sizes = entrySizes(bundle.metafile.outputs, Object.keys(ENTRIES) as Array<keyof typeof ENTRIES>, (name) =>
    relative(ROOT, join(outDir, `${name}.js`)),
  );
  return {
    outDir,
    tscOutput: `${tsc.stdout}${tsc.stderr}`,
    tscErrors: (tsc.stdout.match(/error TS\d+/g) ?? []).length,
    coldStartBytes: sizes.perEntry,
    lazyBytes: sizes.lazy,
    files: listFiles(outDir).length,
  };
}

/**
 * Empty the output directory, but for the layer's zip (`npm run build:layer` writes
 * dist/layer.zip; package.json `files` leaves it out): a stale module from an earlier build must
 * not be packed.
 */
function clean(outDir: string): void {
  if (!existsSync(outDir)) return;
  const names = readdirSync(outDir);
  // `--out` names any directory: empty it only if it is empty already or looks like a build of ours.
  if (names.length > 0 && !names.includes('index.js') && !names.includes('chunks')) {
    throw new Error(`${outDir} is not empty and does not look like a package build (no index.js, no chunks/): not emptying it`);
  }
  for (const name of names) {
    if (join(outDir, name) === LAYER_ZIP) continue;
    rmSync(join(outDir, name), { recursive: true, force: true });
  }
}

/**
 * tsc declares every source file; keep those the entries' types reach (the others name SDK
 * packages that are bundled, not installed, and nothing can import them: `exports` has only the
 * two entries). Declarations import each other as './x.ts', which TypeScript resolves to x.d.ts.
 */
function pruneDeclarations(outDir: string): void {
  const keep = new Set<string>();
  const visit = (file: string) => {
    if (keep.has(file) || !existsSync(file)) return;
    keep.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\()\s*['"](\.[^'"]+)['"]/g)) {
      visit(resolve(dirname(file), match[1] as string).replace(/\.(ts|js)$/, '.d.ts'));
    }
  };
  TYPE_ENTRIES.forEach((entry) => visit(join(outDir, entry)));
  for (const file of listFiles(outDir)) if (file.endsWith('.d.ts') && !keep.has(file)) rmSync(file);
  removeEmptyDirectories(outDir);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

function removeEmptyDirectories(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) continue;
    removeEmptyDirectories(path);
    if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--out');
  const report = await buildPackage({ outDir: at > 0 ? process.argv[at + 1] : undefined });
  if (report.tscErrors > 0) console.error(report.tscOutput.trimEnd());
  const { index, middy } = report.coldStartBytes;
  console.log(
    `package: ${relative(process.cwd(), report.outDir) || '.'} (${report.files} files); ` +
      `lambda-observe loads ${kb(index)}, /middy ${kb(middy)}, the CLI ${kb(report.coldStartBytes['cli/main'])}; lazy exporters ${kb(report.lazyBytes)}`,
  );
  if (report.tscErrors > 0) process.exitCode = 1;
}
