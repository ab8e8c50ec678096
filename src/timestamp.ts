/**
 * The ISO-8601 timestamp of a log line or a wide event (shared by logs/ and event/). An invocation
 * writes its log lines and its wide event within the same millisecond more often than not: the
 * text is made once per millisecond, not per line.
 */
let lastMs = Number.NaN;
let lastText = '';

export function isoTimestamp(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastText = new Date(now).toISOString();
  }
  return lastText;
}
