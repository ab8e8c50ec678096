/**
 * The logger users call: `getLogger('db').info('connected', { host })`.
 * One JSON object per line, written synchronously, carrying the invocation's correlation ids.
 */
import { LOG_LEVELS, type LogLevel } from '../config.ts';
import { dispatchLog, wouldLog } from './dispatch.ts';
import { stringOf } from './safe-json.ts';
import { warnOnce } from './warn-once.ts';

/**
 * A named logger. Levels mean: error = alert now (critical and fatal fold into it), warn = someone
 * looks within a business day, info = normal flow in production, debug = only when asked.
 * Each method accepts `(message)`, `(message, fields)`, `(message, error)`, `(error)` and
 * `(fields, message)`; it never throws.
 */
export interface Logger {
  readonly name: string;
  error(message: string, fields?: Record<string, unknown> | Error): void;
  warn(message: string, fields?: Record<string, unknown> | Error): void;
  info(message: string, fields?: Record<string, unknown> | Error): void;
  debug(message: string, fields?: Record<string, unknown> | Error): void;
  /**
   * Whether a call at `level` would write a line now, or hold it in the debug buffer (after remaps
   * and overrides). Use it to skip building expensive fields.
   */
  isLevelEnabled(level: LogLevel): boolean;
}

const ROOT_LOGGER = 'app';
const loggers = new Map<string, Logger>();

/**
 * A logger named `name` (dotted, e.g. `db.pool`: settings for `db` cover it); the same object
 * for the same name.
 * @example
 * const log = getLogger('orders');
 * log.info('order placed', { order_id: '42' });
 * log.error('payment failed', err);
 */
export function getLogger(name: string = ROOT_LOGGER): Logger {
  const key = typeof name === 'string' && name.trim() ? name.trim() : ROOT_LOGGER;
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
  logger.isLevelEnabled = (level) => wouldLog(name, level);
  return Object.freeze(logger);
}

function log(name: string, level: LogLevel, message: unknown, fields: unknown): void {
  try {
    const [text, data] = normalizeArguments(name, message, fields);
    dispatchLog(name, level, text, data);
  } catch {
    // A log call never throws into user code.
  }
}

/** Accept what people actually pass: (msg), (msg, fields), (msg, error), (error), (fields, msg). */
function normalizeArguments(name: string, message: unknown, fields: unknown): [string, Record<string, unknown> | undefined] {
  if (typeof message === 'string') return [message, fieldsOf(name, fields)];
  if (message instanceof Error) return [stringOf(safeMessage(message)), { exception: message, ...fieldsOf(name, fields) }];
  if (message !== null && typeof message === 'object' && typeof fields === 'string') {
    return [fields, message as Record<string, unknown>];
  }
  if (message !== null && typeof message === 'object' && fields === undefined) {
    // pino style: (fields) alone.
    return ['', message as Record<string, unknown>];
  }
  warnOnce(`log-message-type:${name}`, `logger "${name}" was given a ${typeof message} as message; it is logged as text`);
  return [stringOf(message), fieldsOf(name, fields)];
}

function fieldsOf(name: string, fields: unknown): Record<string, unknown> | undefined {
  if (fields === undefined || fields === null) return undefined;
  if (fields instanceof Error) return { exception: fields };
  if (typeof fields === 'object' && !Array.isArray(fields)) return fields as Record<string, unknown>;
  warnOnce(`log-fields-type:${name}`, `logger "${name}" was given ${Array.isArray(fields) ? 'an array' : `a ${typeof fields}`} as fields; it is logged under "value"`);
  return { value: fields };
}

function safeMessage(error: Error): unknown {
  try {
    return error.message;
  } catch {
    return 'unprintable error';
  }
}
