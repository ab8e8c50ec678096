/**
 * An enum (state set) as 0/1 gauges: one series per state, exactly one of them at 1 for each
 * attribute set. `sum by (state)` counts environments per state, `== 1` shows the current one,
 * and a state that was never entered is still a series at 0 (alerts can rely on it existing).
 */
import type { Attributes, Meter } from '@opentelemetry/api';
import { METER_NAME, environmentMetrics } from './provider.ts';
import { metricsWarn } from './warn.ts';

/** Options of `createEnumGauge`. */
export interface EnumGaugeOptions {
  description?: string;
  /** Meter to create the gauge on; default lambda-observe's own, whose data is always in the push. */
  meter?: Meter;
  /** The label that holds the state; default `state`. */
  label?: string;
  /** The state before the first `set()`; default: none (no series until `set()`). */
  initial?: string;
}

/** A state set: `set()` makes one state current. */
export interface EnumGauge<S extends string> {
  /** Make `state` the current one (for these attributes). An unknown state is ignored with a warning. */
  set(state: S, attributes?: Attributes): void;
}

/** Attribute sets one gauge remembers; beyond this `set()` for a new set is ignored (and warned). */
const MAX_ATTRIBUTE_SETS = 1_000;

/**
 * Create a state-set gauge.
 * @throws TypeError at creation for an empty or repeated state list or a bad label.
 * @example
 * import { createEnumGauge } from 'lambda-observe';
 * const checkout = createEnumGauge('checkout.mode', ['in_use', 'disabled', 'shadowing'], {
 *   description: 'How the new checkout runs',
 * });
 * export const handler = observe(async () => {
 *   checkout.set(flags.newCheckout ? 'in_use' : 'disabled');
 * });
 * // Prometheus: checkout_mode{state="in_use"} 1, checkout_mode{state="disabled"} 0, …
 */
export function createEnumGauge<const S extends string>(name: string, states: readonly S[], options: EnumGaugeOptions = {}): EnumGauge<S> {
  if (!Array.isArray(states) || states.length === 0 || states.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError(`lambda-observe: createEnumGauge(${JSON.stringify(name)}) needs a non-empty list of non-empty state names`);
  }
  if (new Set(states).size !== states.length) {
    throw new TypeError(`lambda-observe: createEnumGauge(${JSON.stringify(name)}) has a repeated state`);
  }
  const label = options.label ?? 'state';
  if (!/^[a-zA-Z_][a-zA-Z0-9_.]*$/.test(label)) {
    throw new TypeError(`lambda-observe: createEnumGauge(${JSON.stringify(name)}) label must be an attribute name, got ${JSON.stringify(label)}`);
  }
  if (options.initial !== undefined && !states.includes(options.initial as S)) {
    throw new TypeError(`lambda-observe: createEnumGauge(${JSON.stringify(name)}) initial state ${JSON.stringify(options.initial)} is not one of its states`);
  }
  const meter = options.meter ?? environmentMetrics().provider.getMeter(METER_NAME);
  const gauge = meter.createObservableGauge(name, { description: options.description ?? `State of ${name}, one of ${states.join('|')}` });
  /** Current state per attribute set, keyed by the set's canonical JSON. */
  const current = new Map<string, { attributes: Attributes; state: string }>();
  if (options.initial !== undefined) current.set('[]', { attributes: {}, state: options.initial });
  gauge.addCallback((result) => {
    for (const { attributes, state } of current.values()) {
      for (const candidate of states) result.observe(candidate === state ? 1 : 0, { ...attributes, [label]: candidate });
    }
  });
  const known = new Set<string>(states);
  return {
    set(state, attributes = {}) {
      if (!known.has(state)) {
        metricsWarn(`enum:${name}:unknown`, `${name}.set(${JSON.stringify(String(state)).slice(0, 100)}) is not one of ${states.join('|')}; ignored`);
        return;
      }
      const key = canonicalKey(attributes);
      const entry = current.get(key);
      if (entry) {
        entry.state = state;
        return;
      }
      if (current.size >= MAX_ATTRIBUTE_SETS) {
        metricsWarn(`enum:${name}:full`, `${name} already tracks ${MAX_ATTRIBUTE_SETS} attribute sets; set() for a new one is ignored`);
        return;
      }
      current.set(key, { attributes: { ...attributes }, state });
    },
  };
}

function canonicalKey(attributes: Attributes): string {
  return JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1)));
}
