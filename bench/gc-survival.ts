/**
 * Why V8's new space grows (RSS over a long run, docs/performance.md "Memory"): runs one variant's
 * warm loop with --trace-gc-nvp and reports, over the second half of the run,
 *  - young-generation collections (scavenges) per 1,000 invocations,
 *  - bytes that survived them (copied in new space + promoted) per scavenge and per invocation,
 *  - where in the invocation cycle they ran (V8 runs most as a task, at the first turn of the
 *    event loop after new space is 80 % full: during a sync flush that is the export's round trip),
 *  - and at which invocation the new space grew.
 * V8 doubles the new space each time the bytes surviving scavenges since the last growth exceed
 * its current semi-space size: a cumulative count, so the per-invocation figure sets how many
 * invocations a variant lasts before the next doubling.
 *
 *   node bench/gc-survival.ts lo-sync [invocations]     (default 6000)
 *
 * Uses the npm-package build in .cache/bench/dist like bench/profile.ts (built when missing).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { kb } from '../infra/bundle-metafile.ts';
import { buildOtelParts, buildPackage } from './lib/build.ts';
import { SCRATCH } from './lib/phases.ts';
import { startSinks } from './lib/sinks.ts';
import { messageOf, runChild } from './lib/spawn.ts';
import { baseExecArgv, BENCH, childEnv, DIST_ENTRY, VARIANTS, type VariantId } from './lib/variants.ts';

const [id = 'lo-sync', countArg] = process.argv.slice(2);
if (!(id in VARIANTS)) throw new Error('usage: node bench/gc-survival.ts <variant> [invocations]');
const count = Number(countArg ?? 6000);
if (!existsSync(DIST_ENTRY)) buildPackage();
// The stock-parts control is rebuilt each time: it is one esbuild call.
if (id === 'otel-parts') await buildOtelParts();

const variant = VARIANTS[id as VariantId];
const log = join(SCRATCH, `gc-survival-${process.pid}.log`);
const sinks = await startSinks();
try {
  const run = await runChild({
    script: join(BENCH, 'child/warm.mjs'),
    env: { ...childEnv(variant, sinks), BENCH_WARM: JSON.stringify({ warmup: 0, measured: count, checkpoints: [], keepLatencies: false }) },
    execArgv: [...baseExecArgv(), ...variant.execArgv, '--trace-gc-nvp', '--import', join(BENCH, 'child/gc-markers.mjs')],
    stdoutFile: log,
    timeoutMs: 900_000,
  });
  messageOf(run, 'warm', `warm run of ${id}`);
  report(readFileSync(log, 'utf8').split('\n'));
} finally {
  rmSync(log, { force: true });
  await sinks.close();
}

function report(lines: readonly string[]): void {
  const field = (line: string, name: string): number => Number(new RegExp(` ${name}=([\\d.]+)`).exec(line)?.[1] ?? 0);
  const byPhase = new Map<string, { scavenges: number; bytes: number }>();
  const growth: string[] = [];
  let phase = 'start';
  let invocations = 0;
  let scavenges = 0;
  let survived = 0;
  let promoted = 0;
  for (const line of lines) {
    if (line.startsWith('@@')) {
      const marker = line.slice(2);
      if (marker === 'invocation') invocations++;
      else if (marker.startsWith('new-space ')) {
        const [, at, bytes] = marker.split(' ');
        growth.push(`${(Number(bytes) / 1e6).toFixed(1)} MB by ${at}`);
      } else phase = marker;
      continue;
    }
    // The second half: the first includes start-up, lazy compilation and the first growths.
    if (!line.includes(' gc=s ') || invocations <= count / 2) continue;
    const copied = field(line, 'new_space_survived');
    const moved = field(line, 'promoted');
    const bytes = copied + moved;
    scavenges++;
    survived += copied;
    promoted += moved;
    const where = phase === 'invocation' ? 'during an invocation' : phase;
    const entry = byPhase.get(where) ?? { scavenges: 0, bytes: 0 };
    entry.scavenges++;
    entry.bytes += bytes;
    byPhase.set(where, entry);
  }
  const measured = count - Math.floor(count / 2);
  console.log(`${id}: ${count} invocations; second half (${measured} invocations):`);
  console.log(`  scavenges: ${((1000 * scavenges) / measured).toFixed(1)} per 1,000 invocations`);
  console.log(`  survived per scavenge: ${kb(survived / scavenges)} copied + ${kb(promoted / scavenges)} promoted`);
  console.log(`  survived per invocation: ${((survived + promoted) / measured).toFixed(0)} bytes`);
  console.log('  where the scavenges ran (last marker before each):');
  for (const [where, { scavenges: n, bytes }] of [...byPhase].sort((a, b) => b[1].scavenges - a[1].scavenges)) {
    console.log(`    ${String(n).padStart(5)} × ${kb(bytes / n).padStart(8)}  ${where}`);
  }
  console.log(`  new space: ${growth.join(', ') || 'no change seen'}`);
}
