/**
 * Warnings about our own trouble (a bad env value, an exporter that is down, a malformed header).
 * Each distinct problem is written once per execution environment: a Pushgateway that is down
 * must not add a warning to every one of thousands of invocations.
 */
import { dispatchLog } from './dispatch.ts';
import { INTERNAL_LOGGER } from './emit.ts';

export { INTERNAL_LOGGER } from './emit.ts';

const warned = new Set<string>();

/**
 * Write `message` at warn level the first time `key` is seen in this environment. It goes through
 * the logger `lambda-observe`, so `LAMBDA_OBSERVE_LOG_LEVELS=lambda-observe=error` silences it.
 */
export function warnOnce(key: string, message: string, fields?: Record<string, unknown>): void {
  if (warned.has(key)) return;
  warned.add(key);
  try {
    dispatchLog(INTERNAL_LOGGER, 'warn', message, fields);
  } catch {
    // A diagnostic must never become the failure.
  }
}

/** For tests: forget which warnings were written. */
export function resetWarningsForTesting(): void {
  warned.clear();
}
