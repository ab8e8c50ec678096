/**
 * The logger users call: `getLogger('db').info('connected', { host })`.
 * One JSON object per line, synchronous, carrying the invocation's correlation ids.
 */
import { readEnv, LOG_LEVELS, type LogLevel } from '../config.ts';
import { emitLog } from './emit.ts';
import { warnOnce } from './warn-once.ts';

/** A named logger. Levels mean: error = alert now, warn = look within a business day, info = normal flow, debug = only when asked. */
export interface Logger {
  readonly name: string;
  error(message: string, fields?: Record<string, unknown> | Error): void;
  warn(message: string, fields?: Record<string, unknown> | Error): void;
  info(message: string, fields?: Record<string, unknown> | Error): void;
  debug(message: string, fields?: Record<string, unknown> | Error): void;
}

const SEVERITY: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

let rootLevel: LogLevel | undefined;
const loggers = new Map<string, Logger>();

/** Set the level every logger writes at or above; called by the lifecycle from the resolved config. */
export function setRootLevel(level: LogLevel): void {
  rootLevel = level;
}

function effectiveLevel(): LogLevel {
  rootLevel ??= readEnv().options.logLevel ?? 'info';
  return rootLevel;
}

/** Whether a line at `level` would be written. */
export function isLevelEnabled(level: LogLevel): boolean {
  return SEVERITY[level] <= SEVERITY[effectiveLevel()];
}

/**
 * A logger named `name` (dotted, e.g. `db.pool`); the same object for the same name.
 * @example
 * const log = getLogger('orders');
 * log.info('order placed', { order_id: '42' });
 */
export function getLogger(name = 'app'): Logger {
  const key = typeof name === 'string' && name ? name : 'app';
  let logger = loggers.get(key);
  if (!logger) {
    logger = createLogger(key);
    loggers.set(key, logger);
  }
  return logger;
}

function createLogger(name: string): Logger {
  const at = (level: LogLevel) => (message: unknown, fields?: unknown) => log(name, level, message, fields);
  const logger = { name } as { -readonly [K in keyof Logger]: Logger[K] };
  for (const level of LOG_LEVELS) logger[level] = at(level);
  return Object.freeze(logger);
}

function log(name: string, level: LogLevel, message: unknown, fields: unknown): void {
  try {
    if (!isLevelEnabled(level)) return;
    const [text, data] = normalizeArguments(name, message, fields);
    emitLog(level, name, text, data);
  } catch {
    // A log call never throws into user code.
  }
}

/** Accept what people actually pass: (msg), (msg, fields), (msg, error), (error), (fields, msg). */
function normalizeArguments(name: string, message: unknown, fields: unknown): [string, Record<string, unknown> | undefined] {
  if (typeof message === 'string') return [message, fieldsOf(name, fields)];
  if (message instanceof Error) return [message.message, { exception: message, ...fieldsOf(name, fields) }];
  if (message !== null && typeof message === 'object' && typeof fields === 'string') {
    return [fields, message as Record<string, unknown>];
  }
  warnOnce(`log-message-type:${name}`, `logger "${name}" was given a ${typeof message} as message; it is logged as text`);
  return [String(message), fieldsOf(name, fields)];
}

function fieldsOf(name: string, fields: unknown): Record<string, unknown> | undefined {
  if (fields === undefined || fields === null) return undefined;
  if (fields instanceof Error) return { exception: fields };
  if (typeof fields === 'object' && !Array.isArray(fields)) return fields as Record<string, unknown>;
  warnOnce(`log-fields-type:${name}`, `logger "${name}" was given ${Array.isArray(fields) ? 'an array' : `a ${typeof fields}`} as fields; it is logged under "value"`);
  return { value: fields };
}
