/**
 * `npm run bench`: lambda-observe against the raw handler and its peers, in one run on one
 * machine, and the budgets of issue 8 checked against it. See docs/performance.md.
 *
 *   npm run bench                  full run (≈ 10 min on 2 cores)
 *   npm run bench -- --quick       ≈ 2 min, fewer repetitions and a shorter warm-up (a quick look, not for the README)
 *   npm run bench -- --only=warm   phases: cold, warm, memory (comma-separated; the build always runs)
 *   npm run bench -- --pin         function on CPU 0, harness and receivers on the other (see lib/affinity.ts)
 *   npm run bench -- --memory=128  the function's memory in MB (default 1024): Lambda sizes V8's heap from it
 *
 * Prints a markdown table and writes bench/results/latest.md and latest.json, and puts the table
 * into docs/performance.md (a quick run writes quick.*, a partial one or one with --memory
 * partial.*, and leaves the docs alone). Exit status is 0 even when a budget fails: the table says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { kb } from '../infra/bundle-metafile.ts';
import { pinHarness } from './lib/affinity.ts';
import { checkBudgets } from './lib/budgets.ts';
import { buildBundle, buildLayer, buildOtelParts, buildPackage } from './lib/build.ts';
import { measureColdStarts, measureMemory, measureWarm } from './lib/phases.ts';
import { renderMarkdown } from './lib/report.ts';
import type { RunResults } from './lib/results.ts';
import { startSinks } from './lib/sinks.ts';
import { BENCH, DEFAULT_FUNCTION_MEMORY_MB, launch, useRealLayer, type VariantId } from './lib/variants.ts';

const PLANS = {
  full: { coldReps: 40, warmRounds: 6, warmWarmup: 5000, warmEarlyFrom: 1000, warmMeasured: 4000, memoryInvocations: 50_000, memoryStep: 5000 },
  quick: { coldReps: 8, warmRounds: 2, warmWarmup: 1500, warmEarlyFrom: 500, warmMeasured: 1500, memoryInvocations: 10_000, memoryStep: 5000 },
} as const;

const COLD_VARIANTS: VariantId[] = ['raw', 'lo-off', 'lo-sync', 'lo-bundle-off', 'lo-bundle', 'powertools', 'otel', 'otel-parts'];
const WARM_VARIANTS: VariantId[] = ['raw', 'lo-off', 'lo-sync', 'lo-interval', 'lo-async', 'lo-async-off', 'lo-off-evict', 'powertools', 'otel', 'otel-parts'];
const MEMORY_VARIANTS: VariantId[] = ['raw', 'lo-off', 'lo-sync', 'lo-interval', 'powertools', 'otel', 'otel-parts'];

const log = (line: string) => process.stderr.write(`${line}\n`);

function parseArgs(argv: readonly string[]) {
  const quick = argv.includes('--quick');
  const pin = argv.includes('--pin');
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const memory = argv.find((a) => a.startsWith('--memory='))?.slice('--memory='.length);
  const unknown = argv.filter((a) => a !== '--quick' && a !== '--pin' && !a.startsWith('--only=') && !a.startsWith('--memory='));
  if (unknown.length) throw new Error(`unknown argument(s): ${unknown.join(' ')} (use --quick, --pin, --only=cold,warm,memory, --memory=MB)`);
  const phases = new Set(only ?? ['cold', 'warm', 'memory']);
  const memoryMb = memory === undefined ? DEFAULT_FUNCTION_MEMORY_MB : Number(memory);
  // Lambda's range: 128 MB to 10,240 MB, in 1 MB steps.
  if (!Number.isInteger(memoryMb) || memoryMb < 128 || memoryMb > 10_240) throw new Error(`--memory=${memory}: a whole number of MB from 128 to 10240`);
  return { quick, pin, phases, memoryMb };
}

/** The peers are bench/'s own devDependencies: install them on first use, with the npm on PATH. */
function ensureBenchDependencies(): void {
  // Every package bench/package.json names, so that a checkout installed before one was added gets it too.
  const manifest = JSON.parse(readFileSync(join(BENCH, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const missing = () => Object.keys(manifest.devDependencies).filter((name) => !existsSync(join(BENCH, 'node_modules', name, 'package.json')));
  if (missing().length === 0) return;
  log('installing the peers into bench/node_modules (npm ci --prefix bench) …');
  const args = existsSync(join(BENCH, 'package-lock.json')) ? ['ci'] : ['install'];
  const run = spawnSync('npm', [...args, '--prefix', BENCH, '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (run.status !== 0 || missing().length > 0) throw new Error(`npm ${args[0]} --prefix bench failed (exit ${run.status}; missing: ${missing().join(', ')})`);
}

const DOCS = join(BENCH, '..', 'docs/performance.md');
const START = '<!-- bench:latest:start -->';
const END = '<!-- bench:latest:end -->';

/** A full run replaces the table between the markers of docs/performance.md: the docs show the latest run. */
function updateDocs(markdown: string): boolean {
  if (!existsSync(DOCS)) return false;
  const text = readFileSync(DOCS, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) return false;
  // The results file starts with its own level-2 title; inside the docs it sits one level down.
  const body = markdown.replace(/^(#{2,5}) /gm, '#$1 ');
  writeFileSync(DOCS, `${text.slice(0, start + START.length)}\n${body}\n${text.slice(end)}`);
  return true;
}

async function main(): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) throw new Error(`Node ${process.versions.node}: run it with Node 22 (npm run bench uses the repository's own)`);
  const { quick, pin, phases, memoryMb } = parseArgs(process.argv.slice(2));
  launch.memoryMb = memoryMb;
  const customMemory = memoryMb !== DEFAULT_FUNCTION_MEMORY_MB;
  const plan = quick ? PLANS.quick : PLANS.full;
  const started = performance.now();
  const loadBefore = loadavg()[0] ?? 0;
  ensureBenchDependencies();

  log('building: the npm package (infra/build-package.ts) → .cache/bench/dist/, esbuild bundle and the layer → bench/.build/ …');
  const notes: string[] = [];
  const packageBuild = buildPackage();
  // src/ is edited by several people at once: a moment's inconsistency must not sink the run.
  const reason = (error: unknown) => String((error as Error).message).split('\n').slice(0, 2).join(' ');
  const bundle = await buildBundle().catch((error: unknown) => {
    notes.push(`the single-file esbuild bundle failed: ${reason(error)}`);
    return undefined;
  });
  const layer = await buildLayer().catch((error: unknown) => {
    notes.push(`the layer build (infra/build-layer.ts) failed, so the layer variants ran on the single-file bundle instead: ${reason(error)}`);
    return undefined;
  });
  if (layer) useRealLayer();
  const otelPartsBytes = await buildOtelParts().catch((error: unknown) => {
    notes.push(`the stock OpenTelemetry parts control did not bundle, so it was not run: ${reason(error)}`);
    return undefined;
  });
  if (otelPartsBytes !== undefined) notes.push(`The stock OpenTelemetry parts control (bench/handlers/otel-parts.mjs) bundles to ${kb(otelPartsBytes)} minified, handler included.`);
  const measured = (ids: readonly VariantId[]) => (otelPartsBytes === undefined ? ids.filter((id) => id !== 'otel-parts') : ids);
  if (packageBuild.diagnostics) notes.push(`tsc reported ${packageBuild.diagnostics} type errors (work in progress elsewhere); the package was built anyway.`);

  // Pinned before the receivers start, so that they (and the Pushgateway process) inherit it.
  const pinning = pin ? pinHarness() : { childPrefix: [], description: 'processes not pinned to CPUs' };
  launch.prefix = pinning.childPrefix;
  const sinks = await startSinks();
  notes.push(...sinks.notes);
  try {
    const coldVariants = measured(layer || bundle ? COLD_VARIANTS : COLD_VARIANTS.filter((id) => !id.startsWith('lo-bundle')));
    const cold = phases.has('cold') ? (log(`cold starts: ${plan.coldReps} × ${coldVariants.length} variants …`), await measureColdStarts(coldVariants, plan.coldReps, sinks, log)) : [];
    const warm = phases.has('warm')
      ? (log(`warm: ${plan.warmRounds} rounds × ${measured(WARM_VARIANTS).length} variants …`),
        await measureWarm(measured(WARM_VARIANTS), plan.warmRounds, plan.warmWarmup, plan.warmEarlyFrom, plan.warmMeasured, sinks, log))
      : [];
    const memory = phases.has('memory')
      ? (log(`memory: ${plan.memoryInvocations} invocations × ${measured(MEMORY_VARIANTS).length} variants …`),
        await measureMemory(measured(MEMORY_VARIANTS), plan.memoryInvocations, plan.memoryStep, sinks, log))
      : [];
    for (const w of warm) {
      if (w.bytes.pushFailures > 0) notes.push(`${w.label}: the Pushgateway refused ${w.bytes.pushFailures} pushes.`);
    }
    const results: RunResults = {
      meta: {
        date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
        mode: quick ? 'quick' : 'full',
        command: [
          'npm run bench',
          ...(quick || pin || phases.size < 3 || customMemory ? ['--'] : []),
          ...(quick ? ['--quick'] : []),
          ...(pin ? ['--pin'] : []),
          ...(phases.size < 3 ? [`--only=${[...phases].join(',')}`] : []),
          ...(customMemory ? [`--memory=${memoryMb}`] : []),
        ].join(' '),
        node: process.versions.node,
        cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
        durationS: (performance.now() - started) / 1000,
        coldReps: plan.coldReps,
        warmRounds: plan.warmRounds,
        functionMemoryMb: memoryMb,
        warmWarmup: plan.warmWarmup,
        warmMeasured: plan.warmMeasured,
        memoryInvocations: plan.memoryInvocations,
        otlpSink: sinks.otlpKind,
        pushgateway: sinks.pushgatewayUrl !== undefined,
        pinning: pinning.description,
        loadAverage: [loadBefore, loadavg()[0] ?? 0],
      },
      build: { package: packageBuild, bundle, layer },
      cold,
      warm,
      memory,
      budgets: checkBudgets(cold, warm, memory, bundle, layer),
      notes,
    };
    const markdown = renderMarkdown(results);
    process.stdout.write(`\n${markdown}\n`);
    for (const b of results.budgets) log(`${b.pass === undefined ? 'N/A ' : b.pass ? 'PASS' : 'FAIL'}  ${b.name}: ${b.measured} (${b.limit})`);
    const dir = join(BENCH, 'results');
    mkdirSync(dir, { recursive: true });
    // The README and the docs show the default function: another memory size is a side run.
    const name = quick ? 'quick' : phases.size < 3 || customMemory ? 'partial' : 'latest';
    writeFileSync(join(dir, `${name}.md`), markdown);
    writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
    log(`written: bench/results/${name}.md, bench/results/${name}.json`);
    if (name === 'latest' && updateDocs(markdown)) log('updated: docs/performance.md');
  } finally {
    await sinks.close();
  }
}

main().catch((error: unknown) => {
  log(`bench failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
