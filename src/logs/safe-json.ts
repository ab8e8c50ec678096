/**
 * Turns any value a user can pass to a logger into plain JSON data. Naive loggers throw or print
 * `{}` on Errors, cycles, BigInt, Maps and getters that throw; a log call must never throw and
 * must never lose the useful part of a value.
 */

export interface SanitizeLimits {
  /** Strings longer than this are cut and marked. */
  readonly maxStringLength: number;
  /** Deeper nesting is replaced by a marker. */
  readonly maxDepth: number;
  /** Arrays, Maps and Sets longer than this are cut and marked. */
  readonly maxItems: number;
}

export const DEFAULT_LIMITS: SanitizeLimits = { maxStringLength: 8192, maxDepth: 10, maxItems: 200 };

/** A plain-data copy of `value` that JSON.stringify can always serialize. */
export function sanitize(value: unknown, limits: SanitizeLimits = DEFAULT_LIMITS): unknown {
  return walk(value, limits, 0, new WeakSet());
}

/** Plain data for an Error: type, message, stack, own fields, and its cause chain / aggregated errors. */
export function errorToData(error: Error, limits: SanitizeLimits = DEFAULT_LIMITS): Record<string, unknown> {
  return describeError(error, limits, 0, new WeakSet());
}

/** The name users see for an error's type: its `name` unless it is the generic one of its class. */
export function errorType(error: unknown): string {
  if (error instanceof Error) {
    const ctorName = error.constructor?.name;
    return error.name && error.name !== 'Error' ? error.name : ctorName || 'Error';
  }
  return typeof error === 'object' && error !== null ? 'Object' : typeof error;
}

function walk(value: unknown, limits: SanitizeLimits, depth: number, seen: WeakSet<object>): unknown {
  switch (typeof value) {
    case 'string':
      return truncate(value, limits.maxStringLength);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'symbol':
      return value.toString();
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`;
    case 'undefined':
      return undefined;
  }
  if (value === null) return null;
  const obj = value as object;
  if (seen.has(obj)) return '[Circular]';
  if (depth >= limits.maxDepth) return '[Object: too deep]';
  seen.add(obj);
  try {
    return walkObject(obj, limits, depth, seen);
  } finally {
    // Only ancestors count as cycles; the same object twice side by side is fine.
    seen.delete(obj);
  }
}

function walkObject(obj: object, limits: SanitizeLimits, depth: number, seen: WeakSet<object>): unknown {
  if (obj instanceof Error) return describeError(obj, limits, depth, seen);
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
  if (Buffer.isBuffer(obj)) return binary('Buffer', obj.length, obj.subarray(0, 32).toString('base64'));
  if (ArrayBuffer.isView(obj)) return binary(obj.constructor.name, obj.byteLength);
  if (obj instanceof ArrayBuffer) return binary('ArrayBuffer', obj.byteLength);
  if (obj instanceof Map) {
    const out: Record<string, unknown> = {};
    let count = 0;
    for (const [k, v] of obj) {
      if (count++ >= limits.maxItems) {
        out['…'] = `${obj.size - limits.maxItems} more entries`;
        break;
      }
      out[typeof k === 'string' ? k : String(walk(k, limits, depth + 1, seen))] = walk(v, limits, depth + 1, seen);
    }
    return out;
  }
  if (obj instanceof Set) return walkList([...obj], limits, depth, seen);
  if (Array.isArray(obj)) return walkList(obj, limits, depth, seen);
  if (obj instanceof RegExp || obj instanceof URL) return String(obj);
  if (obj instanceof WeakMap || obj instanceof WeakSet || obj instanceof Promise) return `[${obj.constructor.name}]`;
  return walkPlain(obj as Record<string, unknown>, limits, depth, seen);
}

function walkList(list: unknown[], limits: SanitizeLimits, depth: number, seen: WeakSet<object>): unknown[] {
  const out = list.slice(0, limits.maxItems).map((item) => {
    const v = walk(item, limits, depth + 1, seen);
    return v === undefined ? null : v;
  });
  if (list.length > limits.maxItems) out.push(`[… ${list.length - limits.maxItems} more items]`);
  return out;
}

function walkPlain(obj: Record<string, unknown>, limits: SanitizeLimits, depth: number, seen: WeakSet<object>) {
  // A user's toJSON says how the object wants to be seen (e.g. Decimal, Luxon); honour it safely.
  const toJSON = readSafely(obj, 'toJSON');
  if (typeof toJSON === 'function') {
    try {
      return walk(toJSON.call(obj), limits, depth + 1, seen);
    } catch (error) {
      return `[toJSON threw: ${messageOf(error)}]`;
    }
  }
  const out: Record<string, unknown> = {};
  let keys: string[];
  try {
    keys = Object.keys(obj);
  } catch (error) {
    return `[Object: keys threw: ${messageOf(error)}]`;
  }
  let count = 0;
  for (const key of keys) {
    if (count++ >= limits.maxItems) {
      out['…'] = `${keys.length - limits.maxItems} more keys`;
      break;
    }
    let raw: unknown;
    try {
      raw = obj[key];
    } catch (error) {
      out[key] = `[getter threw: ${messageOf(error)}]`;
      continue;
    }
    const v = walk(raw, limits, depth + 1, seen);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function describeError(error: Error, limits: SanitizeLimits, depth: number, seen: WeakSet<object>) {
  seen.add(error);
  const out: Record<string, unknown> = {
    type: errorType(error),
    message: truncate(String(readSafely(error, 'message') ?? ''), limits.maxStringLength),
  };
  const stack = readSafely(error, 'stack');
  if (typeof stack === 'string') out.stacktrace = truncate(stack, limits.maxStringLength);
  for (const key of Object.keys(error)) {
    if (key === 'message' || key === 'stack' || key === 'cause' || key === 'errors') continue;
    const v = walk(readSafely(error, key), limits, depth + 1, seen);
    if (v !== undefined) out[key] = v;
  }
  const cause = readSafely(error, 'cause');
  if (cause !== undefined) out.cause = walk(cause, limits, depth + 1, seen);
  const errors = readSafely(error, 'errors');
  if (Array.isArray(errors)) out.errors = walkList(errors, limits, depth, seen);
  return out;
}

function readSafely(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function binary(type: string, bytes: number, base64?: string): Record<string, unknown> {
  return base64 === undefined ? { type, bytes } : { type, bytes, base64_head: base64 };
}

function messageOf(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'unprintable';
  }
}

/** Cut `text` to `max` characters and say how much was cut, so a reader knows it is incomplete. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}…[truncated ${text.length - max} chars]`;
}
