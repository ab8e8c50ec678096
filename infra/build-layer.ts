/**
 * Builds the Lambda layer: `npm run build:layer` writes dist/layer.zip.
 *
 * Layout (unzipped into /opt by Lambda):
 *   lambda-observe-wrapper                      AWS_LAMBDA_EXEC_WRAPPER: zero-code wrapping
 *   extensions/lambda-observe                   the extension (bash): makes Lambda send SIGTERM at shutdown
 *   nodejs/node_modules/lambda-observe/         the package, bundled and minified (ESM):
 *     dist/index.mjs, dist/middy.mjs            `lambda-observe`, `lambda-observe/middy`
 *     dist/layer/handler.mjs                    the handler module the wrapper points _HANDLER at
 *     dist/layer/extension.cjs                  the same extension in node, where bash has no /dev/tcp
 *     dist/chunks/*.mjs                         shared code (one module instance for all three
 *                                               entries) and the lazily imported exporters
 *   nodejs/node_modules/@opentelemetry/api/     for functions that use the OTel API without
 *                                               bundling it (it shares one global registry with
 *                                               the bundled copy); one file per entry point
 *
 * Usage: node infra/build-layer.ts [--out path/to/layer.zip]
 */
import { build, type Metafile } from 'esbuild';
import { readFile, mkdir, writeFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APACHE_LICENSE, entrySizes, kb, thirdPartyNotice } from './bundle-metafile.ts';
import { BASE_BUNDLE_OPTIONS, libraryBundleOptions } from './bundle-options.ts';
import { checkRenamable, manglePattern, sdkPrivateFields } from './private-fields.ts';
import { createZip, type ZipEntry } from './zip.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Where `npm run build:layer` writes the layer; serverless.yml deploys this file. */
export const LAYER_ZIP = join(ROOT, 'dist', 'layer.zip');
/** The same, relative to the repository root (as serverless.yml names it). */
export const LAYER_ZIP_RELATIVE = 'dist/layer.zip';
/**
 * What a cold start may load, minified: the static import graph of each entry (the layer's handler
 * module, `lambda-observe`, `lambda-observe/middy`). 1 KB = 1000 bytes here and in the bench.
 */
export const COLD_START_BUDGET_BYTES = 150_000;

const PACKAGE_DIR = 'nodejs/node_modules/lambda-observe';

/** The extension and the API files: kept in memory for the zip. */
const BUNDLE_OPTIONS = { ...BASE_BUNDLE_OPTIONS, write: false } as const;
/** The library's entry points, by output path (without .mjs) under dist/. */
const ENTRIES = { index: 'src/index.ts', middy: 'src/middy.ts', 'layer/handler': 'src/layer/handler.ts' } as const;
const OTEL_API_DIR = 'nodejs/node_modules/@opentelemetry/api';

export interface LayerReport {
  readonly outFile: string;
  readonly zippedBytes: number;
  readonly unzippedBytes: number;
  readonly files: number;
  /** Minified bytes of the static import graph of each entry: what loading it costs at a cold start. */
  readonly coldStartBytes: { readonly handler: number; readonly index: number; readonly middy: number; readonly extension: number };
  /** Lazily imported chunks (exporters), loaded only when configured. */
  readonly lazyBytes: number;
}

/** Bundle, assemble and zip the layer. */
export async function buildLayer(options: { outFile?: string } = {}): Promise<LayerReport> {
  const outFile = options.outFile ?? LAYER_ZIP;
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string; license?: string; description?: string };

  const privateFields = sdkPrivateFields(join(ROOT, 'node_modules'));
  const library = await build({
    ...libraryBundleOptions(),
    write: false,
    mangleProps: manglePattern(privateFields),
    entryPoints: ENTRIES,
    outdir: '/layer-dist',
    outExtension: { '.js': '.mjs' },
  });
  checkRenamable(privateFields, await bundledSources(library.metafile));
  const extension = await build({
    ...BUNDLE_OPTIONS,
    entryPoints: ['src/layer/extension.ts'],
    outfile: '/layer-dist/layer/extension.cjs',
    format: 'cjs',
  });

  const entries: ZipEntry[] = [
    { path: 'lambda-observe-wrapper', data: await readFile(join(ROOT, 'src/layer/exec-wrapper.sh')), mode: 0o755 },
    { path: 'extensions/lambda-observe', data: await readFile(join(ROOT, 'src/layer/extension.sh')), mode: 0o755 },
    { path: `${PACKAGE_DIR}/package.json`, data: Buffer.from(`${JSON.stringify(layerPackageJson(pkg), null, 2)}\n`) },
    { path: `${PACKAGE_DIR}/LICENSE`, data: await readFile(APACHE_LICENSE) },
    { path: `${PACKAGE_DIR}/THIRD-PARTY.md`, data: Buffer.from(thirdPartyNotice(library.metafile, 'layer')) },
  ];
  for (const file of [...library.outputFiles, ...extension.outputFiles]) {
    entries.push({ path: `${PACKAGE_DIR}/dist/${relative('/layer-dist', file.path)}`, data: Buffer.from(file.contents) });
  }
  entries.push(...(await otelApiEntries()));

  const zip = createZip(entries);
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, zip);

  // Metafile paths are relative to the working directory.
  const sizes = entrySizes(library.metafile.outputs, Object.keys(ENTRIES) as Array<keyof typeof ENTRIES>, (name) =>
    relative(ROOT, join('/layer-dist', `${name}.mjs`)),
  );
  return {
    outFile,
    zippedBytes: zip.length,
    unzippedBytes: entries.reduce((sum, e) => sum + (e.data?.length ?? 0), 0),
    files: entries.length,
    coldStartBytes: {
      handler: sizes.perEntry['layer/handler'],
      index: sizes.perEntry.index,
      middy: sizes.perEntry.middy,
      extension: Object.values(extension.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0),
    },
    lazyBytes: sizes.lazy,
  };
}

/** The files a bundle was made of (plugin-generated modules have no file and are left out). */
async function bundledSources(metafile: Metafile): Promise<Array<{ path: string; text: string }>> {
  const paths = Object.keys(metafile.inputs).filter((path) => !path.includes(':'));
  return Promise.all(paths.map(async (path) => ({ path, text: await readFile(join(ROOT, path), 'utf8') })));
}

/** The package.json of the layer's copy: ESM entry points only (types come from the npm package). */
function layerPackageJson(pkg: { version: string; license?: string; description?: string }): object {
  return {
    name: 'lambda-observe',
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    type: 'module',
    main: './dist/index.mjs',
    exports: {
      '.': './dist/index.mjs',
      './middy': './dist/middy.mjs',
      './package.json': './package.json',
    },
  };
}

/**
 * @opentelemetry/api for functions that do not bundle their own: its package.json as published,
 * each entry point (`.` and `./experimental`, ESM and CommonJS) bundled into one minified file.
 *
 * Why: the published package is 53 ES modules per format, and a function that imports it from the
 * layer pays for resolving, reading and compiling each one at every cold start (≈ 10 ms measured
 * on Node 22, more than the whole of lambda-observe's bundle); one file costs ≈ 1 ms. The
 * package.json `exports` only expose these entries, so no other file can be reached. The API
 * keeps its state in one global registry, so this copy, lambda-observe's bundled one and a
 * function's own bundled one all see the same providers.
 */
async function otelApiEntries(): Promise<ZipEntry[]> {
  const source = join(ROOT, 'node_modules/@opentelemetry/api');
  const entries: ZipEntry[] = [
    { path: `${OTEL_API_DIR}/package.json`, data: await readFile(join(source, 'package.json')) },
    { path: `${OTEL_API_DIR}/LICENSE`, data: await readFile(join(source, 'LICENSE')) },
  ];
  for (const entry of ['index', 'experimental/index']) {
    for (const format of ['esm', 'cjs'] as const) {
      const file = `dist/${entry}.${format === 'esm' ? 'mjs' : 'cjs'}`;
      const bundled = await build({ ...BUNDLE_OPTIONS, entryPoints: [join(source, file)], outfile: `/api-dist/${file}`, format });
      entries.push({ path: `${OTEL_API_DIR}/${file}`, data: Buffer.from(bundled.outputFiles[0]!.contents) });
    }
  }
  return entries;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--out');
  const outFile = at > 0 ? process.argv[at + 1] : undefined;
  const report = await buildLayer({ outFile });
  const cold = report.coldStartBytes.handler;
  const largest = Math.max(cold, report.coldStartBytes.index, report.coldStartBytes.middy);
  console.log(
    [
      `layer: ${relative(process.cwd(), report.outFile)} (${report.files} entries)`,
      `  zipped ${kb(report.zippedBytes)}, unzipped ${kb(report.unzippedBytes)}`,
      `  cold start loads ${kb(cold)} minified (budget ${kb(COLD_START_BUDGET_BYTES)} per entry${largest > COLD_START_BUDGET_BYTES ? ', OVER BUDGET' : ''}); ` +
        `lambda-observe ${kb(report.coldStartBytes.index)}, /middy ${kb(report.coldStartBytes.middy)}; lazy exporters ${kb(report.lazyBytes)}; extension ${kb(report.coldStartBytes.extension)}`,
    ].join('\n'),
  );
  await stat(report.outFile);
}
