/**
 * Warnings about our own trouble (a bad env value, an exporter that is down, a malformed header).
 * Each distinct problem is written once per execution environment: a Pushgateway that is down
 * must not add a warning to every one of thousands of invocations.
 */
import { emitLog } from './emit.ts';

const warned = new Set<string>();

/** The logger name of lambda-observe's own lines, so users can filter or fix its level. */
export const INTERNAL_LOGGER = 'lambda-observe';

/** Write `message` at warn level the first time `key` is seen in this environment. */
export function warnOnce(key: string, message: string, fields?: Record<string, unknown>): void {
  if (warned.has(key)) return;
  warned.add(key);
  try {
    emitLog('warn', INTERNAL_LOGGER, message, fields);
  } catch {
    // A diagnostic must never become the failure.
  }
}

/** For tests: forget which warnings were written. */
export function resetWarningsForTesting(): void {
  warned.clear();
}
