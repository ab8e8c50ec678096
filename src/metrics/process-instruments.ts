/**
 * Process gauges, observed at collect time (no timer: nothing runs in a frozen environment).
 * The start time makes counter resets visible: a new value means a new process, so `*_total`
 * series of that instance started again from zero.
 */
import type { Meter } from '@opentelemetry/api';
import { processMemory } from '../process-memory.ts';

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
  meter.addBatchObservableCallback(
    (result) => {
      // At most one reading a second, shared with the wide event: a push after every invocation
      // would otherwise read /proc every time.
      const usage = processMemory();
      result.observe(rss, usage.rss);
      result.observe(heapUsed, usage.heapUsed);
      result.observe(startTime, started);
    },
    [rss, heapUsed, startTime],
  );
}
