/**
 * The automatic FaaS metrics (OTel semantic conventions), recorded once per invocation from its
 * summary. Attributes are low-cardinality by construction: trigger, outcome, the HTTP route
 * template (never a raw path), the status class, the error's type.
 *
 * The four counters are incremented in plain numbers of ours (kept per reused, frozen attribute
 * set) and handed to the SDK's counters as one `add` per attribute set when it collects, instead of
 * an `add` per invocation (each one processed, hashed — sort + JSON — and aggregated by the SDK).
 * They stay synchronous counters fed in the order the sets were first counted since the last
 * collection: the same series, values, cardinality overflow, HELP and TYPE in Prometheus text and
 * OTLP. Only the duration histogram still goes through the SDK on every invocation.
 */
import { ROOT_CONTEXT, type Attributes, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import type { InvocationSummary } from '../context.ts';

/**
 * Seconds, from 1 ms to Lambda's 15-minute ceiling: dense where most functions live (1 ms – 1 s),
 * sparse above. 19 boundaries = 20 buckets per series; every series is pushed on each push.
 */
export const INVOKE_DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900,
];

/** Increments not yet handed to a counter, per attribute set (the same frozen object for the same labels), in first-counted order. */
type Pending = Map<Readonly<Attributes>, number>;

/** The automatic instruments, created once per provider. */
export interface FaasInstruments {
  readonly invocations: Counter;
  readonly errors: Counter;
  readonly timeouts: Counter;
  readonly coldstarts: Counter;
  readonly duration: Histogram;
  /** What the counters are given at the next collection. */
  readonly pending: {
    readonly invocations: Pending;
    readonly errors: Pending;
    readonly timeouts: Pending;
    readonly coldstarts: Pending;
  };
}

/** Create the instruments. In Prometheus: `faas_invocations_total`, …, `faas_invoke_duration_seconds_bucket`. */
export function createFaasInstruments(meter: Meter): FaasInstruments {
  const instruments: FaasInstruments = {
    invocations: meter.createCounter('faas.invocations', { description: 'Invocations of the function', unit: '{invocation}' }),
    errors: meter.createCounter('faas.errors', { description: 'Invocations that ended in an error', unit: '{error}' }),
    timeouts: meter.createCounter('faas.timeouts', { description: 'Invocations that timed out', unit: '{timeout}' }),
    coldstarts: meter.createCounter('faas.coldstarts', { description: 'Invocations that were cold starts', unit: '{coldstart}' }),
    duration: meter.createHistogram('faas.invoke_duration', {
      description: 'Duration of invocations',
      unit: 's',
      advice: { explicitBucketBoundaries: [...INVOKE_DURATION_BUCKETS] },
    }),
    pending: { invocations: new Map(), errors: new Map(), timeouts: new Map(), coldstarts: new Map() },
  };
  // The SDK runs every observable callback of a collection before it reads any instrument's
  // storage: this is the moment the pending counts go in. The instrument is never observed, so it
  // never appears in an export (an instrument without data points is left out).
  const collecting = meter.createObservableGauge('lambda_observe.internal.faas_pending', {
    description: 'Not exported: marks the start of a collection for the FaaS counters',
  });
  meter.addBatchObservableCallback(() => addPending(instruments), [collecting]);
  return instruments;
}

function addPending(i: FaasInstruments): void {
  addAll(i.invocations, i.pending.invocations);
  addAll(i.errors, i.pending.errors);
  addAll(i.timeouts, i.pending.timeouts);
  addAll(i.coldstarts, i.pending.coldstarts);
}

function addAll(counter: Counter, pending: Pending): void {
  if (pending.size === 0) return;
  for (const [attributes, count] of pending) counter.add(count, attributes, ROOT_CONTEXT);
  pending.clear();
}

/** Record one finished invocation. */
export function recordSummary(i: FaasInstruments, summary: InvocationSummary): void {
  const set = summaryAttributes(summary);
  count(i.invocations, i.pending.invocations, set.attributes, set.canonical);
  // The context is only handed to attribute processors, and ours (redaction) does not read it:
  // passed, the SDK does not look the active one up on every record.
  i.duration.record(summary.durationMs / 1000, set.attributes, ROOT_CONTEXT);
  if (summary.coldStart) countTrigger(i.coldstarts, i.pending.coldstarts, summary.trigger);
  if (summary.outcome === 'error') {
    const trigger = summary.trigger;
    const type = summary.errorType ?? 'Error';
    const build = () => ({ 'faas.trigger': trigger, 'error.type': type });
    const canonical = canonicalSet(`e\0${trigger}\0${type}`, build);
    count(i.errors, i.pending.errors, canonical ?? build(), canonical !== undefined);
  }
  if (summary.outcome === 'timeout') countTrigger(i.timeouts, i.pending.timeouts, summary.trigger);
}

function countTrigger(counter: Counter, pending: Pending, trigger: string): void {
  const build = () => ({ 'faas.trigger': trigger });
  const canonical = canonicalSet(`t\0${trigger}`, build);
  count(counter, pending, canonical ?? build(), canonical !== undefined);
}

/** A set without its one canonical object (past MAX_SETS) is added at once, as a plain counter would. */
function count(counter: Counter, pending: Pending, attributes: Readonly<Attributes>, canonical: boolean): void {
  if (canonical) pending.set(attributes, (pending.get(attributes) ?? 0) + 1);
  else counter.add(1, attributes, ROOT_CONTEXT);
}

/**
 * The pending counts are keyed by object, so equal labels must always come as the same object: one
 * frozen set per distinct label combination, for the life of the process. The combinations are few
 * by construction; past MAX_SETS (far beyond any useful cardinality limit) a set is not kept, and
 * is counted directly instead.
 */
const MAX_SETS = 10_000;
const sets = new Map<string, Readonly<Attributes>>();

function canonicalSet(key: string, build: () => Attributes): Readonly<Attributes> | undefined {
  let set = sets.get(key);
  if (set === undefined && sets.size < MAX_SETS) sets.set(key, (set = Object.freeze(build())));
  return set;
}

interface SummaryAttributes {
  readonly trigger: string;
  readonly outcome: string;
  readonly route: string | undefined;
  readonly statusClass: number | undefined;
  /** What the duration histogram records. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Whether `attributes` is the one kept object for these labels. */
  readonly canonical: boolean;
}

let lastAttributes: SummaryAttributes | undefined;

/**
 * The attribute set of an invocation's `faas.invocations` and `faas.invoke_duration`. Consecutive
 * invocations nearly always share it (same trigger, route, outcome and status class): the last one
 * is reused without a lookup. Frozen, so the metrics pipeline may also remember what it made of it
 * (redact-labels.ts).
 */
function summaryAttributes(summary: InvocationSummary): SummaryAttributes {
  const route = summary.httpRoute || undefined;
  const statusClass = summary.httpStatusCode === undefined ? undefined : Math.floor(summary.httpStatusCode / 100);
  const last = lastAttributes;
  if (last && last.trigger === summary.trigger && last.outcome === summary.outcome && last.route === route && last.statusClass === statusClass) {
    return last;
  }
  const build = (): Record<string, string> => {
    const attributes: Record<string, string> = { 'faas.trigger': summary.trigger, outcome: summary.outcome };
    if (route) attributes['http.route'] = route;
    if (statusClass !== undefined) attributes['http.response.status_class'] = `${statusClass}xx`;
    return attributes;
  };
  const canonical = canonicalSet(`i\0${summary.trigger}\0${summary.outcome}\0${route ?? ''}\0${statusClass ?? ''}`, build) as Readonly<Record<string, string>> | undefined;
  const attributes = canonical ?? Object.freeze(build());
  lastAttributes = { trigger: summary.trigger, outcome: summary.outcome, route, statusClass, attributes, canonical: canonical !== undefined };
  return lastAttributes;
}
