/**
 * The process's memory, read at most once a second, for the wide event (`process.memory.rss_bytes`)
 * and the process gauges alike: reading it costs a file read (libuv opens and parses
 * /proc/self/stat: ≈ 4 µs in an idle process, ≈ 60 µs in a busy one), and the figure moves slowly.
 * An environment invoked less often than once a second (most) gets a fresh reading every time.
 */

/** How old a reading may be when it is asked for again. */
const MAX_AGE_MS = 1000;

let reading: { readonly rss: number; readonly heapUsed: number } = { rss: 0, heapUsed: 0 };
let readAt = Number.NEGATIVE_INFINITY;

/** Resident set size and V8 heap in use, in bytes. */
export function processMemory(): { readonly rss: number; readonly heapUsed: number } {
  const now = performance.now();
  if (now - readAt >= MAX_AGE_MS) {
    const { rss, heapUsed } = process.memoryUsage();
    reading = { rss, heapUsed };
    readAt = now;
  }
  return reading;
}
