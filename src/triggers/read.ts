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
  readonly headers: Carrier;
  /** Names of headers whose value was not a string (or a list of strings) and was dropped. */
  readonly malformed: string[];
}

/**
 * Merge `headers` and `multiValueHeaders` (API Gateway v1, ALB) into one lower-cased map.
 * HTTP header names are case-insensitive, and callers send `TraceParent` as often as `traceparent`.
 */
export function readHeaders(single: unknown, multi?: unknown): HeaderReadResult {
  const headers: Carrier = {};
  const malformed: string[] = [];
  const multiBag = asBag(multi);
  if (multiBag) {
    for (const key of safeKeys(multiBag)) {
      const values = field(multiBag, key);
      if (Array.isArray(values) && values.length > 0 && values.every((v) => typeof v === 'string')) {
        headers[key.toLowerCase()] = values.join(',');
      } else if (!(Array.isArray(values) && values.length === 0)) {
        malformed.push(key);
      }
    }
  }
  const singleBag = asBag(single);
  if (singleBag) {
    for (const key of safeKeys(singleBag)) {
      const value = field(singleBag, key);
      if (typeof value === 'string') headers[key.toLowerCase()] = value;
      else if (value !== undefined && value !== null) malformed.push(key);
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
