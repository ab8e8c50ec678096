/** The shape of one benchmark run, as written to bench/results/latest.json and rendered to markdown. */
import type { BundleBuild, LayerBuild, PackageBuild } from './build.ts';
import type { Summary } from './stats.ts';
import type { VariantId } from './variants.ts';

export interface ColdResult {
  readonly variant: VariantId;
  readonly label: string;
  readonly reps: number;
  /** performance.now() in the child (ms since its process started) when the handler module was loaded. */
  readonly inProcessReady: Summary;
  /** … when the first invocation returned. */
  readonly inProcessFirst: Summary;
  /** Harness clock, spawn → "ready" message. */
  readonly wallReady: Summary;
  /** Harness clock, spawn → "first invocation done" message. */
  readonly wallFirst: Summary;
  readonly error?: string;
}

export interface BytesPerInvocation {
  readonly log: number;
  readonly otlp: number;
  readonly spans: number;
  readonly push: number;
  readonly pushRequests: number;
  readonly pushFailures: number;
  readonly xray: number;
}

export interface MemorySample {
  readonly invocations: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly rssAfterGc: number;
  readonly heapUsedAfterGc: number;
  readonly external: number;
  /** V8's committed young generation (new space) after the full GC. */
  readonly newSpace: number;
}

export interface WarmResult {
  readonly variant: VariantId;
  readonly label: string;
  readonly rounds: number;
  readonly invocationsPerProcess: number;
  /** Response latency, µs, pooled over every round. */
  readonly latency: Summary;
  /** The same over invocations `from` … `to` (0-based) of each process: the end of the warm-up, not yet at steady speed. */
  readonly early?: { readonly from: number; readonly to: number; readonly latency: Summary };
  /** Per round: this variant's median minus raw's median in the same round, µs. */
  readonly overheadPerRound: readonly number[];
  /** Async flush mode: time from the response to the end of the background flush, µs. */
  readonly settle?: Summary;
  /** process.cpuUsage() over the measured invocations / their count, µs (includes the harness's own work, ≈ raw's). */
  readonly cpuUsPerInvocation: number;
  readonly bytes: BytesPerInvocation;
  /** Memory at the end of each round's process (median over rounds). */
  readonly memoryAtEnd: MemorySample | undefined;
  readonly error?: string;
}

export interface MemoryResult {
  readonly variant: VariantId;
  readonly label: string;
  readonly samples: readonly MemorySample[];
  readonly error?: string;
}

export interface Budget {
  readonly name: string;
  readonly limit: string;
  readonly measured: string;
  /** undefined: not measurable in this run (a variant failed or a sink is missing). */
  readonly pass: boolean | undefined;
}

export interface RunResults {
  readonly meta: {
    readonly date: string;
    readonly mode: 'full' | 'quick';
    readonly command: string;
    readonly node: string;
    readonly cpus: string;
    readonly durationS: number;
    readonly coldReps: number;
    readonly warmRounds: number;
    /** The memory of the function the children play (MB); node's heap flags follow from it. */
    readonly functionMemoryMb: number;
    readonly warmWarmup: number;
    readonly warmMeasured: number;
    readonly memoryInvocations: number;
    readonly otlpSink: string;
    readonly pushgateway: boolean;
    readonly pinning: string;
    /** 1-minute load average at the start and the end: other work on the machine shows here. */
    readonly loadAverage: readonly [number, number];
  };
  readonly build: { readonly package: PackageBuild; readonly bundle: BundleBuild | undefined; readonly layer: LayerBuild | undefined };
  readonly cold: readonly ColdResult[];
  readonly warm: readonly WarmResult[];
  readonly memory: readonly MemoryResult[];
  readonly budgets: readonly Budget[];
  readonly notes: readonly string[];
}
