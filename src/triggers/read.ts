/**
 * Defensive readers for untrusted event shapes. An event can be anything (null, a string, a
 * circular object, an object with throwing getters); these never throw and never guess types.
 */
import type { Carrier } from './types.ts';

export type Bag = Record<string, unknown>;

/** `value` if it is a plain non-null object (not an array), else undefined. */
export function asBag(value: unknown): Bag | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Bag) : undefined;
}

/** Read `bag[key]` without letting a throwing getter escape. */
export function field(bag: Bag | undefined, key: string): unknown {
  if (!bag) return undefined;
  try {
    return bag[key];
  } catch {
    return undefined;
  }
}

export function bagField(bag: Bag | undefined, key: string): Bag | undefined {
  return asBag(field(bag, key));
}

export function stringField(bag: Bag | undefined, key: string): string | undefined {
  const value = field(bag, key);
  return typeof value === 'string' ? value : undefined;
}

export function arrayField(bag: Bag | undefined, key: string): unknown[] | undefined {
  const value = field(bag, key);
  return Array.isArray(value) ? value : undefined;
}

/** The last segment of an ARN (`arn:aws:sqs:us-east-1:123:orders` → `orders`). */
export function arnName(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const name = arn.slice(arn.lastIndexOf(':') + 1);
  return name || undefined;
}

const PROPAGATION_KEYS = ['traceparent', 'tracestate', 'baggage', 'x-amzn-trace-id'] as const;

export interface HeaderReadResult {
  /** The headers lambda-observe reads (propagation, `x-request-id`, `user-agent`), lower-cased. */
  readonly headers: Carrier;
  /** Names of those headers whose value was not a string (or a list of strings) and was dropped. */
  readonly malformed: string[];
}

/**
 * The only headers any of our code reads. Picking them out instead of copying every header keeps
 * the cost per invocation flat: API Gateway sends dozens, twice (`headers` and `multiValueHeaders`).
 */
const WANTED_HEADERS = new Set([...PROPAGATION_KEYS, 'x-request-id', 'user-agent']);
const WANTED_LENGTHS = new Set([...WANTED_HEADERS].map((name) => name.length));

/**
 * Header names repeat from request to request (the same clients, the same API Gateway): each
 * spelling is lower-cased and looked up once, not on every invocation (≈ 16 lower-cased copies per
 * API Gateway v1 event otherwise). `null` = not a header we read. Bounded: a flood of distinct
 * names starts it over.
 */
const NAME_CACHE_LIMIT = 512;
const wantedNames = new Map<string, string | null>();

function wantedName(key: string): string | undefined {
  let name = wantedNames.get(key);
  if (name === undefined) {
    name = null;
    if (WANTED_LENGTHS.has(key.length)) {
      const lower = key.toLowerCase();
      if (WANTED_HEADERS.has(lower)) name = lower;
    }
    if (wantedNames.size >= NAME_CACHE_LIMIT) wantedNames.clear();
    wantedNames.set(key, name);
  }
  return name ?? undefined;
}

/**
 * Read the headers we use from `headers`, falling back to `multiValueHeaders` (API Gateway v1
 * and ALB send one or both). HTTP header names are case-insensitive, and callers send
 * `TraceParent` as often as `traceparent`.
 */
export function readHeaders(single: unknown, multi?: unknown): HeaderReadResult {
  const headers: Carrier = {};
  const malformed: string[] = [];
  const singleBag = asBag(single);
  if (singleBag) {
    for (const key of safeKeys(singleBag)) {
      const name = wantedName(key);
      if (!name) continue;
      const value = field(singleBag, key);
      if (typeof value === 'string') headers[name] = value;
      else if (value !== undefined && value !== null) malformed.push(key);
    }
  }
  const multiBag = asBag(multi);
  if (multiBag) {
    for (const key of safeKeys(multiBag)) {
      const name = wantedName(key);
      if (!name || headers[name] !== undefined) continue;
      const values = field(multiBag, key);
      if (Array.isArray(values) && values.length > 0 && values.every((v) => typeof v === 'string')) {
        headers[name] = values.join(',');
      } else if (!(Array.isArray(values) && values.length === 0)) {
        malformed.push(key);
      }
    }
  }
  return { headers, malformed };
}

/** Only the propagation-related entries of a header map. */
export function propagationCarrier(headers: Carrier): Carrier | undefined {
  let carrier: Carrier | undefined;
  for (const key of PROPAGATION_KEYS) {
    const value = headers[key];
    if (value !== undefined) (carrier ??= {})[key] = value;
  }
  return carrier;
}

/** Build a carrier from a map whose values may be nested (`{ stringValue }`, `{ Value }`), case-insensitively. */
export function carrierFrom(bag: Bag | undefined, unwrap: (value: unknown) => unknown = (v) => v): Carrier | undefined {
  if (!bag) return undefined;
  const flat: Carrier = {};
  for (const key of safeKeys(bag)) {
    const value = unwrap(field(bag, key));
    if (typeof value === 'string') flat[key.toLowerCase()] = value;
  }
  return propagationCarrier(flat);
}

function safeKeys(bag: Bag): string[] {
  try {
    return Object.keys(bag);
  } catch {
    return [];
  }
}
