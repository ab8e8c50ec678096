/**
 * Optional: `console.log/info/warn/error/debug/trace` go through the logger `console`, so code that
 * already uses console gets levels, correlation ids and redaction for free. Off by default
 * (`captureConsole: true` or `LAMBDA_OBSERVE_CAPTURE_CONSOLE=true` turns it on).
 *
 * Objects are not formatted into the message (that would hide their keys from redaction): a
 * single object argument becomes the line's fields, several go under `args`, an Error under
 * `exception`. Strings and numbers make the message, with printf-style `%s`/`%d` honoured.
 */
import type * as Util from 'node:util';
import type { LogLevel } from '../config.ts';
import { dispatchLog } from './dispatch.ts';

/** The logger name of captured console calls (so `console=warn` silences console.log). */
export const CONSOLE_LOGGER = 'console';

const METHODS = { log: 'info', info: 'info', warn: 'warn', error: 'error', debug: 'debug', trace: 'debug' } as const satisfies Record<
  string,
  LogLevel
>;
type Method = keyof typeof METHODS;

let originals: Partial<Record<Method, (...args: unknown[]) => void>> | undefined;

/** Route console methods through the logger. Idempotent. */
export function installConsoleCapture(): void {
  if (originals) return;
  originals = {};
  for (const method of Object.keys(METHODS) as Method[]) {
    originals[method] = console[method] as (...args: unknown[]) => void;
    const level = METHODS[method];
    console[method] = (...args: unknown[]) => {
      try {
        const [message, fields] = fromConsoleArguments(args);
        dispatchLog(CONSOLE_LOGGER, level, message, fields);
      } catch {
        // console.log never throws; neither does ours.
      }
    };
  }
}

/** Put the original console methods back. Idempotent. */
export function uninstallConsoleCapture(): void {
  if (!originals) return;
  for (const [method, original] of Object.entries(originals) as [Method, (...args: unknown[]) => void][]) console[method] = original;
  originals = undefined;
}

function fromConsoleArguments(args: unknown[]): [string, Record<string, unknown> | undefined] {
  const text: unknown[] = [];
  const objects: unknown[] = [];
  let exception: unknown;
  for (const arg of args) {
    if (arg instanceof Error && exception === undefined) exception = arg;
    else if (arg !== null && (typeof arg === 'object' || typeof arg === 'function')) objects.push(arg);
    else text.push(arg);
  }
  // node:util is loaded only once console capture is on (an ESM import of it costs ≈ 7 ms at cold start).
  let message = text.length > 0 ? (process.getBuiltinModule('node:util') as typeof Util).format(...text) : '';
  if (!message && exception instanceof Error) message = String(exception.message);
  const single = objects.length === 1 && !Array.isArray(objects[0]) && typeof objects[0] === 'object';
  if (exception !== undefined) return [message, objects.length > 0 ? { args: objects, exception } : { exception }];
  // One object: its keys become the line's fields (the sanitizer reads them safely, getters and all).
  if (single) return [message, objects[0] as Record<string, unknown>];
  return [message, objects.length > 0 ? { args: objects } : undefined];
}
