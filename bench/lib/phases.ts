/**
 * The three measuring phases. Every variant runs in fresh processes, and the variants take turns
 * (rotated each repetition/round) so that machine drift — other processes, thermal state, the
 * receivers warming up — lands on all of them alike.
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ColdResult, MemoryResult, MemorySample, WarmResult } from './results.ts';
import { diffCounts, type Sinks } from './sinks.ts';
import { messageOf, runChild } from './spawn.ts';
import { median, rotate, summarize } from './stats.ts';
import { baseExecArgv, BENCH, childEnv, launch, VARIANTS, type VariantId } from './variants.ts';

const COLD_CHILD = join(BENCH, 'child/cold.mjs');
const WARM_CHILD = join(BENCH, 'child/warm.mjs');
/**
 * The function's stdout goes to a file so its bytes can be counted. On tmpfs when there is one:
 * a disk-backed file stalls now and then on writeback (milliseconds, in the p99), which Lambda's
 * stdout pipe does not.
 */
export const SCRATCH = existsSync('/dev/shm') ? '/dev/shm' : join(BENCH, 'results');

/** A variant is given up after this many failed processes (and reported as failed). */
const MAX_FAILURES = 3;

export interface Progress {
  (line: string): void;
}

/** A one-line reason that fits a table cell. */
function firstLine(error: unknown): string {
  const lines = String((error as Error)?.message ?? error).split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.slice(0, 3).join(' — ').replaceAll('|', '/').slice(0, 300);
}

export async function measureColdStarts(ids: readonly VariantId[], reps: number, sinks: Sinks, progress: Progress): Promise<ColdResult[]> {
  const samples = new Map(ids.map((id) => [id, { ready: [] as number[], first: [] as number[], wallReady: [] as number[], wallFirst: [] as number[], failures: 0, error: undefined as string | undefined }]));
  for (let rep = 0; rep < reps; rep++) {
    for (const id of rotate(ids, rep)) {
      const s = samples.get(id)!;
      if (s.error) continue;
      const variant = VARIANTS[id];
      try {
        const run = await runChild({
          script: COLD_CHILD,
          env: childEnv(variant, sinks),
          execArgv: [...baseExecArgv(), ...variant.execArgv],
          prefix: launch.prefix,
          timeoutMs: 30_000,
        });
        const ready = messageOf(run, 'ready', `cold start of ${id}`);
        const first = messageOf(run, 'first', `cold start of ${id}`);
        s.ready.push(Number(first.data.ready));
        s.first.push(Number(first.data.at));
        s.wallReady.push(ready.at - run.startedAt);
        s.wallFirst.push(first.at - run.startedAt);
      } catch (error) {
        // One failure may be a teammate's edit caught half-way; a variant that keeps failing is broken.
        s.failures++;
        progress(`  cold start of ${id} failed (${s.failures}/${MAX_FAILURES}): ${firstLine(error)}`);
        if (s.failures >= MAX_FAILURES) s.error = firstLine(error);
      }
    }
    if ((rep + 1) % Math.max(1, Math.floor(reps / 4)) === 0) progress(`  cold starts: ${rep + 1}/${reps}`);
  }
  return ids.map((id) => {
    const s = samples.get(id)!;
    return {
      variant: id,
      label: VARIANTS[id].label,
      reps: s.first.length,
      inProcessReady: summarize(s.ready),
      inProcessFirst: summarize(s.first),
      wallReady: summarize(s.wallReady),
      wallFirst: summarize(s.wallFirst),
      ...(s.error ? { error: s.error } : {}),
    };
  });
}

interface WarmOutput {
  latencies: number[];
  early: number[];
  settle: number[];
  measured: number;
  invocations: number;
  cpuUserUs: number;
  cpuSystemUs: number;
  memory: MemorySample[];
}

interface WarmSpec {
  warmup: number;
  /** Time invocations earlyFrom … warmup apart (child/warm.mjs); none when absent. */
  earlyFrom?: number;
  measured: number;
  checkpoints: number[];
  keepLatencies: boolean;
  timeoutMs: number;
}

/** One fresh process of `id`: its output, what the sinks received meanwhile, and its log bytes. */
async function runWarmProcess(id: VariantId, spec: WarmSpec, sinks: Sinks) {
  const variant = VARIANTS[id];
  mkdirSync(SCRATCH, { recursive: true });
  const stdoutFile = join(SCRATCH, `lambda-observe-bench-${process.pid}-${id}.tmp`);
  const before = await sinks.counts();
  try {
    const run = await runChild({
      script: WARM_CHILD,
      env: {
        ...childEnv(variant, sinks),
        BENCH_WARM: JSON.stringify({
          warmup: spec.warmup,
          earlyFrom: spec.earlyFrom,
          measured: spec.measured,
          checkpoints: spec.checkpoints,
          keepLatencies: spec.keepLatencies,
        }),
      },
      execArgv: [...baseExecArgv(), ...variant.execArgv],
      prefix: launch.prefix,
      stdoutFile,
      timeoutMs: spec.timeoutMs,
    });
    const output = messageOf(run, 'warm', `warm run of ${id}`).data as unknown as WarmOutput;
    // Let the last export land before reading the counters.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const sent = diffCounts(await sinks.counts(), before);
    return { output, sent, logBytes: statSync(stdoutFile).size };
  } finally {
    rmSync(stdoutFile, { force: true });
  }
}

export async function measureWarm(
  ids: readonly VariantId[],
  rounds: number,
  warmup: number,
  earlyFrom: number,
  measured: number,
  sinks: Sinks,
  progress: Progress,
): Promise<WarmResult[]> {
  const total = warmup + measured;
  const acc = new Map(
    ids.map((id) => [
      id,
      {
        latencies: [] as number[],
        early: [] as number[],
        settle: [] as number[],
        roundMedians: [] as number[],
        cpuUs: 0,
        measured: 0,
        invocations: 0,
        log: 0,
        sent: { otlp: 0, spans: 0, push: 0, pushRequests: 0, pushFailures: 0, xray: 0 },
        memory: [] as MemorySample[],
        failures: 0,
        error: undefined as string | undefined,
      },
    ]),
  );
  const roundMedian = new Map<VariantId, number[]>(ids.map((id) => [id, []]));
  for (let round = 0; round < rounds; round++) {
    for (const id of rotate(ids, round)) {
      const a = acc.get(id)!;
      if (a.error) continue;
      try {
        const { output, sent, logBytes } = await runWarmProcess(
          id,
          { warmup, earlyFrom, measured, checkpoints: [total], keepLatencies: true, timeoutMs: 240_000 },
          sinks,
        );
        const micros = output.latencies.map((ms) => ms * 1000);
        a.latencies.push(...micros);
        for (const ms of output.early) a.early.push(ms * 1000);
        a.settle.push(...output.settle.map((ms) => ms * 1000));
        roundMedian.get(id)![round] = median(micros);
        a.cpuUs += output.cpuUserUs + output.cpuSystemUs;
        a.measured += output.measured;
        a.invocations += output.invocations;
        a.log += logBytes;
        a.sent.otlp += sent.otlpBytes;
        a.sent.spans += sent.spans;
        a.sent.push += sent.pushBytes;
        a.sent.pushRequests += sent.pushRequests;
        a.sent.pushFailures += sent.pushFailures;
        a.sent.xray += sent.xrayBytes;
        a.memory.push(...output.memory);
      } catch (error) {
        a.failures++;
        progress(`  warm run of ${id} failed (${a.failures}/${MAX_FAILURES}): ${firstLine(error)}`);
        if (a.failures >= MAX_FAILURES) a.error = firstLine(error);
      }
    }
    progress(`  warm rounds: ${round + 1}/${rounds}`);
  }
  const rawMedians = roundMedian.get('raw') ?? [];
  return ids.map((id) => {
    const a = acc.get(id)!;
    const per = (n: number) => (a.invocations ? n / a.invocations : Number.NaN);
    const medians = roundMedian.get(id)!;
    return {
      variant: id,
      label: VARIANTS[id].label,
      rounds: medians.filter((m) => m !== undefined).length,
      invocationsPerProcess: total,
      latency: summarize(a.latencies),
      ...(a.early.length ? { early: { from: earlyFrom, to: warmup, latency: summarize(a.early) } } : {}),
      overheadPerRound: medians.map((m, r) => m - (rawMedians[r] ?? Number.NaN)).filter((v) => Number.isFinite(v)),
      ...(a.settle.length ? { settle: summarize(a.settle) } : {}),
      cpuUsPerInvocation: a.measured ? a.cpuUs / a.measured : Number.NaN,
      bytes: {
        log: per(a.log),
        otlp: per(a.sent.otlp),
        spans: per(a.sent.spans),
        push: per(a.sent.push),
        pushRequests: per(a.sent.pushRequests),
        pushFailures: a.sent.pushFailures,
        xray: per(a.sent.xray),
      },
      memoryAtEnd: medianSample(a.memory),
      ...(a.error ? { error: a.error } : {}),
    };
  });
}

/** Long runs for memory: one process per variant, sampled every `step` invocations. */
export async function measureMemory(ids: readonly VariantId[], invocations: number, step: number, sinks: Sinks, progress: Progress): Promise<MemoryResult[]> {
  const results: MemoryResult[] = [];
  const checkpoints: number[] = [];
  for (let n = step; n <= invocations; n += step) checkpoints.push(n);
  for (const id of ids) {
    try {
      const started = performance.now();
      const { output } = await runWarmProcess(id, { warmup: 0, measured: invocations, checkpoints, keepLatencies: false, timeoutMs: 600_000 }, sinks);
      results.push({ variant: id, label: VARIANTS[id].label, samples: output.memory });
      progress(`  memory: ${id}, ${invocations} invocations in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (error) {
      results.push({ variant: id, label: VARIANTS[id].label, samples: [], error: firstLine(error) });
      progress(`  memory run of ${id} failed: ${firstLine(error)}`);
    }
  }
  return results;
}

function medianSample(samples: readonly MemorySample[]): MemorySample | undefined {
  if (samples.length === 0) return undefined;
  const pick = (key: keyof MemorySample) => median(samples.map((s) => s[key]));
  return {
    invocations: samples[0]!.invocations,
    rss: pick('rss'),
    heapUsed: pick('heapUsed'),
    rssAfterGc: pick('rssAfterGc'),
    heapUsedAfterGc: pick('heapUsedAfterGc'),
    external: pick('external'),
    newSpace: pick('newSpace'),
  };
}
