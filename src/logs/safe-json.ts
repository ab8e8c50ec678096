/**
 * Turns any value a user can pass to a logger into plain JSON data. Naive loggers throw or print
 * `{}` on Errors, cycles, BigInt, Maps and getters that throw; a log call must never throw and
 * must never lose the useful part of a value.
 *
 * Redaction happens in the same walk (one traversal, one copy): a sensitive key's value is
 * replaced before it is even read, and strings are masked before they are cut, so a cut can never
 * leave half a secret that the patterns no longer recognise.
 */

export interface SanitizeLimits {
  /** Strings longer than this are cut and marked. */
  readonly maxStringLength: number;
  /** Deeper nesting is replaced by a marker. */
  readonly maxDepth: number;
  /** Arrays, Maps and Sets longer than this are cut and marked. */
  readonly maxItems: number;
}

/** What the walk needs from a redactor (src/redact's `Redactor` is one). */
export interface FieldRedactor {
  readonly marker: string;
  isSensitiveKey(key: string, value?: unknown): boolean;
  text(text: string, key?: string, parentKey?: string): string;
}

export interface SanitizeOptions extends SanitizeLimits {
  readonly redactor?: FieldRedactor | undefined;
}

export const DEFAULT_LIMITS: SanitizeLimits = { maxStringLength: 8192, maxDepth: 10, maxItems: 200 };

/** How far past the cut a string is still scanned, so a secret straddling the cut is masked whole (a 4096-bit PEM key is ≈ 3.2 kB). */
const REDACT_SLACK = 8192;

interface Walk {
  readonly options: SanitizeOptions;
  /** The objects being walked (the ancestors of the current value), at most `maxDepth` + a few. */
  readonly seen: Ancestors;
}

/**
 * The set of objects on the path from the root: a cycle is a value that is its own ancestor. A
 * short array rather than a WeakSet (whose allocation was most of a small walk's cost), with the
 * same add/has/delete meaning.
 */
class Ancestors {
  readonly #stack: object[] = [];
  has(obj: object): boolean {
    return this.#stack.includes(obj);
  }
  add(obj: object): void {
    if (!this.#stack.includes(obj)) this.#stack.push(obj);
  }
  delete(obj: object): void {
    const stack = this.#stack;
    if (stack[stack.length - 1] === obj) stack.pop();
    else {
      const at = stack.lastIndexOf(obj);
      if (at >= 0) stack.splice(at, 1);
    }
  }
}

/** A plain-data copy of `value` that JSON.stringify can always serialize. */
export function sanitize(value: unknown, options: SanitizeOptions = DEFAULT_LIMITS): unknown {
  return walk(value, { options, seen: new Ancestors() }, 0, undefined, undefined);
}

/** Plain data for an Error: type, message, stack, own fields, and its cause chain / aggregated errors. */
export function errorToData(error: Error, options: SanitizeOptions = DEFAULT_LIMITS): Record<string, unknown> {
  return describeError(error, { options, seen: new Ancestors() }, 0);
}

/** The name users see for an error's type: its `name` unless it is the generic one of its class. */
export function errorType(error: unknown): string {
  try {
    if (error instanceof Error) {
      const name = readSafely(error, 'name');
      const ctorName = readSafely(error, 'constructor') as { name?: unknown } | undefined;
      if (typeof name === 'string' && name && name !== 'Error') return name;
      return typeof ctorName?.name === 'string' && ctorName.name ? ctorName.name : 'Error';
    }
  } catch {
    return 'Error';
  }
  return typeof error === 'object' && error !== null ? 'Object' : typeof error;
}

/** A string (masked if a redactor is given, then cut at the limit). */
export function cleanString(text: string, options: SanitizeOptions, key?: string, parentKey?: string): string {
  const max = options.maxStringLength;
  const redactor = options.redactor;
  if (!redactor) return truncate(text, max);
  if (text.length <= max) return redactor.text(text, key, parentKey);
  const masked = redactor.text(text.slice(0, max + REDACT_SLACK), key, parentKey);
  const cut = masked.length > max ? masked.slice(0, max) : masked;
  return `${cut}…[truncated ${text.length - max} chars]`;
}

function walk(value: unknown, w: Walk, depth: number, key: string | undefined, parentKey: string | undefined): unknown {
  switch (typeof value) {
    case 'string':
      return cleanString(value, w.options, key, parentKey);
    case 'number':
      if (!Number.isFinite(value)) return String(value);
      // A card number logged as a number is still a card number.
      if (w.options.redactor && Number.isInteger(value) && value >= 1e12) {
        const digits = String(value);
        if (w.options.redactor.text(digits) !== digits) return w.options.redactor.marker;
      }
      return value;
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
  if (w.seen.has(obj)) return '[Circular]';
  if (depth >= w.options.maxDepth) return '[Object: too deep]';
  w.seen.add(obj);
  try {
    return walkObject(obj, w, depth, key);
  } catch (error) {
    // A Proxy whose traps throw, a revoked Proxy, an exotic host object: say so and carry on.
    return cleanString(`[Unserializable: ${messageOf(error)}]`, w.options);
  } finally {
    // Only ancestors count as cycles; the same object twice side by side is fine.
    w.seen.delete(obj);
  }
}

function walkObject(obj: object, w: Walk, depth: number, key: string | undefined): unknown {
  // Most values are object literals: none of the special cases below can apply to them.
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto === Object.prototype || proto === null) return walkPlain(obj as Record<string, unknown>, w, depth, key);
  if (obj instanceof Error) return describeError(obj, w, depth);
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
  if (Buffer.isBuffer(obj)) {
    // The head of a Buffer helps debugging, unless redaction is on: bytes can hold anything.
    return w.options.redactor ? binary('Buffer', obj.length) : binary('Buffer', obj.length, obj.subarray(0, 32).toString('base64'));
  }
  if (ArrayBuffer.isView(obj)) return binary(obj.constructor.name, obj.byteLength);
  if (obj instanceof ArrayBuffer || obj instanceof SharedArrayBuffer) return binary(obj.constructor.name, obj.byteLength);
  if (obj instanceof Map) return walkMap(obj, w, depth, key);
  if (obj instanceof Set) return walkList([...obj], w, depth, key);
  if (Array.isArray(obj)) return walkList(obj, w, depth, key);
  if (obj instanceof RegExp || obj instanceof URL) return cleanString(String(obj), w.options, key);
  if (obj instanceof WeakMap || obj instanceof WeakSet || obj instanceof Promise) return `[${obj.constructor.name}]`;
  return walkPlain(obj as Record<string, unknown>, w, depth, key);
}

function walkMap(map: Map<unknown, unknown>, w: Walk, depth: number, parentKey: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [k, v] of map) {
    if (count++ >= w.options.maxItems) {
      out['…'] = `${map.size - w.options.maxItems} more entries`;
      break;
    }
    const name = typeof k === 'string' ? k : String(walk(k, w, depth + 1, undefined, undefined));
    out[name] = field(name, v, w, depth, parentKey);
  }
  return out;
}

function walkList(list: unknown[], w: Walk, depth: number, key: string | undefined): unknown[] {
  const max = w.options.maxItems;
  const out = list.slice(0, max).map((item) => {
    // Items inherit the list's key: `{ cookies: ['a=b'] }` is as secret as `{ cookie: 'a=b' }`.
    const v = walk(item, w, depth + 1, key, undefined);
    return v === undefined ? null : v;
  });
  if (list.length > max) out.push(`[… ${list.length - max} more items]`);
  return out;
}

function walkPlain(obj: Record<string, unknown>, w: Walk, depth: number, parentKey: string | undefined) {
  // A user's toJSON says how the object wants to be seen (e.g. Decimal, Luxon); honour it safely.
  const toJSON = readSafely(obj, 'toJSON');
  if (typeof toJSON === 'function') {
    try {
      return walk(toJSON.call(obj), w, depth + 1, parentKey, undefined);
    } catch (error) {
      return cleanString(`[toJSON threw: ${messageOf(error)}]`, w.options);
    }
  }
  const out: Record<string, unknown> = {};
  let keys: string[];
  try {
    keys = Object.keys(obj);
  } catch (error) {
    return cleanString(`[Object: keys threw: ${messageOf(error)}]`, w.options);
  }
  let count = 0;
  for (const key of keys) {
    if (count++ >= w.options.maxItems) {
      out['…'] = `${keys.length - w.options.maxItems} more keys`;
      break;
    }
    let raw: unknown;
    try {
      raw = obj[key];
    } catch (error) {
      out[key] = cleanString(`[getter threw: ${messageOf(error)}]`, w.options);
      continue;
    }
    const v = field(key, raw, w, depth, parentKey);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** One named field: replaced whole if its key is sensitive, else walked. */
function field(key: string, raw: unknown, w: Walk, depth: number, parentKey: string | undefined): unknown {
  const redactor = w.options.redactor;
  if (redactor && raw !== undefined && redactor.isSensitiveKey(key, raw)) return redactor.marker;
  return walk(raw, w, depth + 1, key, parentKey);
}

function describeError(error: Error, w: Walk, depth: number): Record<string, unknown> {
  w.seen.add(error);
  const out: Record<string, unknown> = {
    type: errorType(error),
    message: cleanString(stringOf(readSafely(error, 'message')), w.options),
  };
  const stack = readSafely(error, 'stack');
  if (typeof stack === 'string') out.stacktrace = cleanString(stack, w.options);
  let keys: string[] = [];
  try {
    keys = Object.keys(error);
  } catch {
    // An Error proxy without keys still has its message and stack.
  }
  for (const key of keys) {
    if (key === 'message' || key === 'stack' || key === 'cause' || key === 'errors') continue;
    const v = field(key, readSafely(error, key), w, depth, undefined);
    if (v !== undefined) out[key] = v;
  }
  const cause = readSafely(error, 'cause');
  if (cause !== undefined) out.cause = walk(cause, w, depth + 1, undefined, undefined);
  const errors = readSafely(error, 'errors');
  if (Array.isArray(errors)) out.errors = walkList(errors, w, depth, undefined);
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

/** `String(x)` that cannot throw (a symbol, an object whose toString throws). */
export function stringOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  try {
    return typeof value === 'symbol' ? value.toString() : String(value);
  } catch (error) {
    return `[unprintable: ${messageOf(error)}]`;
  }
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
