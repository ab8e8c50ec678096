// Warm invocations in one fresh process: `warmup` invocations, then `measured` ones timed one by
// one (handler call → result), one after the other as Lambda runs them, with a turn of the event
// loop between two (the runtime's own I/O). CPU time covers the measured ones; memory is sampled
// at the given invocation counts (before and after a full GC).
//
// With BENCH_EXTENSIONS_API (async flush mode), the harness plays Lambda's Extensions API: after
// each response it waits until the environment could freeze (lambda-observe's flush is over and it
// asks for its next event); that wait is reported apart from the response latency.
//
// With BENCH_EVICT_KB (a control), the harness reads and writes that much memory between two
// invocations, outside the timed window: what any work done between invocations (an async flush,
// the runtime's own) does to the CPU caches the next response finds.
import { fail, loadHandler, nextInvocation, report, startExtensionsApi } from './lambda.mjs';

const config = JSON.parse(process.env.BENCH_WARM);
const { warmup, measured, checkpoints = [], keepLatencies = true, earlyFrom = warmup } = config;
const allocation = process.env.BENCH_ALLOCATION_PROFILE ? allocationSampler(process.env.BENCH_ALLOCATION_PROFILE) : undefined;

try {
  const extensions = process.env.BENCH_EXTENSIONS_API ? await startExtensionsApi() : undefined;
  if (extensions) process.env.AWS_LAMBDA_RUNTIME_API = extensions.address;
  const handler = await loadHandler();
  if (extensions) await extensions.ready();
  const settle = extensions ? () => extensions.frozen() : undefined;
  const total = warmup + measured;
  const latencies = new Float64Array(measured);
  // Invocations earlyFrom … warmup: warm, but not yet at steady speed (reported apart).
  const earlyStart = Math.min(earlyFrom, warmup);
  const early = new Float64Array(warmup - earlyStart);
  const settleTimes = settle ? new Float64Array(measured) : undefined;
  const memory = [];
  const pendingCheckpoints = new Set(checkpoints);
  let cpuStart = process.cpuUsage();
  let wallStart = performance.now();
  const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));
  const evictCaches = cacheEvictor(Number(process.env.BENCH_EVICT_KB ?? 0));

  for (let i = 0; i < total; i++) {
    if (i === warmup) {
      if (allocation) await allocation.start();
      cpuStart = process.cpuUsage();
      wallStart = performance.now();
    }
    evictCaches?.();
    const { event, context } = nextInvocation();
    await yieldToLoop();
    extensions?.invoke(context.awsRequestId, context.deadlineMs);
    const started = performance.now();
    const result = await handler(event, context);
    const answered = performance.now();
    if (result?.statusCode !== 200) throw new Error(`invocation ${i}: unexpected result ${JSON.stringify(result)}`);
    let settled = answered;
    if (settle) {
      await settle();
      settled = performance.now();
    }
    if (i >= earlyStart && i < warmup) early[i - earlyStart] = answered - started;
    if (i >= warmup) {
      latencies[i - warmup] = answered - started;
      if (settleTimes) settleTimes[i - warmup] = settled - answered;
    }
    if (pendingCheckpoints.has(i + 1)) memory.push(sampleMemory(i + 1));
  }
  const cpu = process.cpuUsage(cpuStart);
  if (allocation) await allocation.stop();
  report({
    type: 'warm',
    invocations: total,
    measured,
    wallMs: performance.now() - wallStart,
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    latencies: keepLatencies ? Array.from(latencies) : [],
    early: keepLatencies ? Array.from(early) : [],
    settle: settleTimes && keepLatencies ? Array.from(settleTimes) : [],
    memory,
  });
  process.exit(0);
} catch (error) {
  fail(error);
}

/** A function that touches one 8-byte word of every 64-byte cache line of a `kb` KB buffer; none for 0. */
function cacheEvictor(kb) {
  if (!(kb > 0)) return undefined;
  const words = new Float64Array((kb * 1024) / 8);
  return () => {
    for (let i = 0; i < words.length; i += 8) words[i] += 1;
  };
}

/**
 * V8's sampling heap profiler over the measured invocations, counting objects the GC already
 * collected too: what is allocated per call, not what stays alive (bench/profile.ts alloc).
 */
function allocationSampler(file) {
  let session;
  const post = (method, params) =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  return {
    async start() {
      const inspector = await import('node:inspector');
      session = new inspector.Session();
      session.connect();
      await post('HeapProfiler.startSampling', {
        samplingInterval: 256,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    },
    async stop() {
      const { profile } = await post('HeapProfiler.stopSampling');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

function sampleMemory(invocations) {
  const before = process.memoryUsage();
  globalThis.gc?.();
  const after = process.memoryUsage();
  return {
    invocations,
    rss: before.rss,
    heapUsed: before.heapUsed,
    rssAfterGc: after.rss,
    heapUsedAfterGc: after.heapUsed,
    external: after.external,
    newSpace: newSpaceBytes(),
  };
}

/**
 * V8's young generation as committed now. It grows (up to --max-semi-space-size) when enough
 * bytes survive its collections, and a full GC does not shrink it: RSS that grows while the heap
 * after GC stays flat is this, not a leak.
 */
function newSpaceBytes() {
  const spaces = process.getBuiltinModule('node:v8').getHeapSpaceStatistics();
  return spaces.find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}
