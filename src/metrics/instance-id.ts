/**
 * The Pushgateway `instance` of this execution environment. It must be unique per environment:
 * two environments pushing to one group would overwrite each other's cumulative counters.
 */

let fallback: string | undefined;

/**
 * The id part of Lambda's log stream name (`2026/11/22/[$LATEST]8f3c…` → `8f3c…`), which Lambda
 * makes unique per environment; the whole name if it has another shape; else a random UUID made
 * once per process (locally, in tests, or on a runtime that sets no log stream).
 */
export function environmentInstanceId(logStreamName: string | undefined): string {
  if (logStreamName) {
    const id = /\]([0-9a-zA-Z]{8,})$/.exec(logStreamName)?.[1];
    return id ?? logStreamName;
  }
  // Only off Lambda: loading node:crypto costs ≈ 3 ms, which a real environment never pays.
  fallback ??= (process.getBuiltinModule('node:crypto') as typeof import('node:crypto')).randomUUID();
  return fallback;
}
