/**
 * Label values pass through the shared redaction before they are aggregated: an attribute value
 * that looks like a secret (or sits under a key named like one) must not become a Prometheus label
 * kept for as long as the Pushgateway keeps the group. Redacting before aggregation (in a view's
 * attributes processor) also means two raw values that redact to the same text share one series
 * instead of producing a duplicate series, which the Pushgateway would reject with a 400.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { IAttributesProcessor } from '@opentelemetry/sdk-metrics';
import { activeRedactor, redactLabelValue } from '../redact/redact.ts';

/** The view processor: every value is redacted with its key; keys are kept. The input is returned when nothing changed. */
export const redactingAttributesProcessor: IAttributesProcessor = {
  process(incoming: Attributes): Attributes {
    // A frozen set (lambda-observe's own, reused from invocation to invocation) cannot have changed
    // since it was last redacted under the same rules.
    if (!Object.isFrozen(incoming)) return redactAttributes(incoming);
    const rules = activeRedactor();
    if (rules !== frozenRules) {
      frozenSets = new WeakMap();
      frozenRules = rules;
    }
    let out = frozenSets.get(incoming);
    if (out === undefined) {
      out = redactAttributes(incoming);
      // Freezing is shallow: a set holding arrays could still change inside.
      if (Object.values(incoming).every((value) => typeof value !== 'object')) frozenSets.set(incoming, out);
    }
    return out;
  },
};

let frozenSets = new WeakMap<Attributes, Attributes>();
let frozenRules: unknown;

function redactAttributes(incoming: Attributes): Attributes {
  let out: Attributes | undefined;
  for (const key in incoming) {
    const value = incoming[key];
    const redacted = redactValue(value, key);
    if (redacted !== value) (out ??= { ...incoming })[key] = redacted;
  }
  return out ?? incoming;
}

/**
 * Label values repeat (they are low-cardinality by design): the same `key=value` is redacted once
 * and remembered, instead of scanned again on every recording of every instrument. Bounded: when
 * full it starts over, so a flood of distinct values costs memory no longer than one cycle.
 */
const MEMO_LIMIT = 2048;
/** Label name → value → redacted value: two lookups of strings that keep their hash, no key string built per call. */
const memo = new Map<string, Map<string, AttributeValue>>();
let memoSize = 0;
let memoRules: unknown;

function redactString(value: string, key: string): AttributeValue {
  // New rules (the first observe() applies the configured ones) make every remembered answer stale.
  const rules = activeRedactor();
  if (rules !== memoRules) {
    memo.clear();
    memoSize = 0;
    memoRules = rules;
  }
  let byValue = memo.get(key);
  let redacted = byValue?.get(value);
  if (redacted === undefined) {
    if (memoSize >= MEMO_LIMIT) {
      memo.clear();
      memoSize = 0;
      byValue = undefined;
    }
    redacted = redactLabelValue(value, key);
    if (!byValue) memo.set(key, (byValue = new Map()));
    byValue.set(value, redacted);
    memoSize++;
  }
  return redacted;
}

function redactValue(value: AttributeValue | undefined, key: string): AttributeValue | undefined {
  if (typeof value === 'string') return redactString(value, key);
  if (typeof value === 'number' || typeof value === 'boolean') return redactLabelValue(value, key);
  if (Array.isArray(value)) {
    const mapped = (value as unknown[]).map((v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? redactLabelValue(v, key) : v));
    return mapped.every((v, i) => v === value[i]) ? value : (mapped as AttributeValue);
  }
  return value;
}
