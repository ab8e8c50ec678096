/**
 * Process gauges, observed at collect time (no timer: nothing runs in a frozen environment).
 * The start time makes counter resets visible: a new value means a new process, so `*_total`
 * series of that instance started again from zero.
 */
import type { Meter } from '@opentelemetry/api';

/** How old a memory reading may be when it is observed again. */
const MEMORY_MAX_AGE_MS = 1000;

/** Register the gauges on `meter`. In Prometheus: `process_memory_usage_bytes`, `v8js_memory_heap_used_bytes`, `process_start_time_seconds`. */
export function registerProcessInstruments(meter: Meter): void {
  const rss = meter.createObservableGauge('process.memory.usage', {
    description: 'Resident set size of the process (the memory Lambda bills and limits)',
    unit: 'By',
  });
  const heapUsed = meter.createObservableGauge('v8js.memory.heap.used', { description: 'V8 heap in use, all spaces', unit: 'By' });
  const startTime = meter.createObservableGauge('process.start_time', {
    // The exact HELP of every Prometheus client (and of the Pushgateway's own series of this name),
    // so families merged at the Pushgateway do not disagree.
    description: 'Start time of the process since unix epoch in seconds.',
    unit: 's',
  });
  const started = Math.round(performance.timeOrigin) / 1000;
  let usage = { rss: 0, heapUsed: 0 };
  let readAt = Number.NEGATIVE_INFINITY;
  meter.addBatchObservableCallback(
    (result) => {
      // One memoryUsage() call for both, at most once a second: it reads RSS from /proc, which in a
      // busy function costs ≈ 60 µs a call (bench/profile.ts warm lo-sync; ≈ 4 µs in an idle
      // process), and a push after every invocation would pay it every time.
      const now = performance.now();
      if (now - readAt >= MEMORY_MAX_AGE_MS) {
        usage = process.memoryUsage();
        readAt = now;
      }
      result.observe(rss, usage.rss);
      result.observe(heapUsed, usage.heapUsed);
      result.observe(startTime, started);
    },
    [rss, heapUsed, startTime],
  );
}
