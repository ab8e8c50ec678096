/**
 * Where the time goes: runs one variant's cold start or warm loop under `node --cpu-prof` and
 * sums the profile's self time by package and by function.
 *
 *   node bench/profile.ts cold lo-off        # import + first invocation
 *   node bench/profile.ts warm lo-sync 5000  # 5,000 warm invocations (after 500 warm-up)
 *   node bench/profile.ts alloc lo-off 2000  # bytes allocated per invocation, by function
 *
 * Variants: see bench/lib/variants.ts. Expects the package build (.cache/bench/dist) and the
 * bundle from a previous `npm run bench` (builds the package when missing). Leaves the .cpuprofile in
 * bench/results/ for Chrome DevTools / speedscope.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pinHarness } from './lib/affinity.ts';
import { buildOtelParts, buildPackage } from './lib/build.ts';
import { startSinks } from './lib/sinks.ts';
import { runChild } from './lib/spawn.ts';
import { baseExecArgv, BENCH, childEnv, DIST_ENTRY, LAYER_ENTRY, ROOT, useRealLayer, VARIANTS, type VariantId } from './lib/variants.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [phase = 'cold', id = 'lo-off', countArg] = process.argv.slice(2);
if (!(id in VARIANTS) || !['cold', 'warm', 'alloc'].includes(phase)) {
  throw new Error('usage: node bench/profile.ts cold|warm|alloc <variant> [invocations]');
}
const variant = VARIANTS[id as VariantId];
const { existsSync } = await import('node:fs');
if (!existsSync(DIST_ENTRY)) buildPackage();
// The stock-parts control is rebuilt each time: it is one esbuild call.
if (id === 'otel-parts') await buildOtelParts();
// The layer variants profile the real layer when a previous run unpacked it.
if (existsSync(LAYER_ENTRY)) useRealLayer();

const dir = join(BENCH, 'results', `profile-${phase}-${id}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const pinning = pinHarness();
const sinks = await startSinks();
const measured = Number(countArg ?? 5000);
const allocationFile = join(dir, 'allocation.heapprofile');
try {
  const run = await runChild({
    script: join(BENCH, phase === 'cold' ? 'child/cold.mjs' : 'child/warm.mjs'),
    env: {
      ...childEnv(variant, sinks),
      BENCH_WARM: JSON.stringify({ warmup: 500, measured, checkpoints: [], keepLatencies: false }),
      ...(phase === 'alloc' ? { BENCH_ALLOCATION_PROFILE: allocationFile } : {}),
    },
    execArgv: [
      ...baseExecArgv(),
      ...(phase === 'alloc' ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100']),
      ...variant.execArgv,
    ],
    prefix: pinning.childPrefix,
    timeoutMs: 600_000,
  });
  if (run.code !== 0) throw new Error(`child failed: ${run.stderr}`);
} finally {
  await sinks.close();
}
if (phase === 'alloc') {
  reportAllocations(JSON.parse(readFileSync(allocationFile, 'utf8')) as AllocationNode & { head?: AllocationNode }, measured);
  process.exit(0);
}

interface AllocationNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocationNode[];
  head?: AllocationNode;
}

/** Bytes allocated per invocation (including what the GC already freed), by function and by package. */
function reportAllocations(profile: AllocationNode, invocations: number): void {
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  // Built-ins (new WeakSet, Object.entries, a promise's `then`) are charged to the JS function that called them.
  const visit = (node: AllocationNode, caller: AllocationNode | undefined) => {
    const js = node.callFrame.url ? node : caller;
    if (node.selfSize) {
      total += node.selfSize;
      const where = js ? `${js.callFrame.functionName || '(anonymous)'} ${shortUrl(js.callFrame.url)}:${js.callFrame.lineNumber + 1}` : '(root)';
      const fn = node === js ? where : `${where} → ${node.callFrame.functionName || '(native)'}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + node.selfSize);
      const pkg = packageOf(js?.callFrame.url ?? '');
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + node.selfSize);
    }
    for (const child of node.children) visit(child, js);
  };
  visit(profile.head ?? profile, undefined);
  console.log(`allocated: ${(total / invocations).toFixed(0)} bytes per invocation (sampled, ${invocations} invocations)`);
  for (const [title, map] of [['by package', byPackage], ['by function', byFunction]] as const) {
    console.log(`\n${title} (bytes per invocation)`);
    for (const [name, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, title === 'by package' ? 15 : 35)) {
      console.log(`${(bytes / invocations).toFixed(0).padStart(9)} B ${((100 * bytes) / total).toFixed(1).padStart(5)}%  ${name}`);
    }
  }
}

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error('no profile written');
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;

const self = new Map<number, number>();
profile.samples.forEach((nodeId, i) => self.set(nodeId, (self.get(nodeId) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const byPackage = new Map<string, number>();
const byFunction = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const us = self.get(node.id) ?? 0;
  if (!us) continue;
  total += us;
  const pkg = packageOf(node.callFrame.url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  const fn = `${node.callFrame.functionName || '(anonymous)'} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
}
const show = (title: string, map: Map<string, number>, n: number) => {
  console.log(`\n${title} (self time, total ${(total / 1000).toFixed(1)} ms)`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${(us / 1000).toFixed(2).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
};
show('by package', byPackage, 20);
show('by function', byFunction, 40);
console.log(`\nprofile: ${join(dir, file)}`);

function packageOf(url: string): string {
  if (!url) return '(native / GC / idle)';
  if (url.startsWith('node:')) return 'node: built-ins';
  const at = url.lastIndexOf('node_modules/');
  if (at >= 0) {
    const parts = url.slice(at + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  if (url.includes('/dist/') || url.includes('/.build/') || url.includes('/.cache/bench/')) return 'lambda-observe';
  if (url.includes('/bench/')) return 'bench harness / handler';
  return url.replace(`file://${ROOT}/`, '');
}

function shortUrl(url: string): string {
  return url.replace(`file://${ROOT}/`, '').replace('.cache/bench/', '').replace(/^.*node_modules\//, '');
}
