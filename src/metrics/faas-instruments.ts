/**
 * The automatic FaaS metrics (OTel semantic conventions), recorded once per invocation from its
 * summary. Attributes are low-cardinality by construction: trigger, outcome, the HTTP route
 * template (never a raw path), the status class, the error's type.
 *
 * The four counters are observable: an invocation adds 1 to a plain number of ours (kept per
 * reused, frozen attribute set) and the SDK reads the totals when it collects, instead of
 * processing, hashing (sort + JSON) and aggregating the attribute set on every invocation. They
 * are monotonic cumulative sums either way: the same `*_total` series, HELP, TYPE and values in
 * Prometheus text and OTLP. Only the duration histogram still goes through the SDK per invocation.
 */
import { ROOT_CONTEXT, type Attributes, type Histogram, type Meter, type ObservableCounter } from '@opentelemetry/api';
import type { InvocationSummary } from '../context.ts';

/**
 * Seconds, from 1 ms to Lambda's 15-minute ceiling: dense where most functions live (1 ms – 1 s),
 * sparse above. 19 boundaries = 20 buckets per series; every series is pushed on each push.
 */
export const INVOKE_DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900,
];

/** Running totals of one counter, per attribute set (the same frozen object for the same labels), in first-seen order. */
type Totals = Map<Readonly<Attributes>, number>;

/** The automatic instruments, created once per provider. */
export interface FaasInstruments {
  readonly invocations: ObservableCounter;
  readonly errors: ObservableCounter;
  readonly timeouts: ObservableCounter;
  readonly coldstarts: ObservableCounter;
  readonly duration: Histogram;
  /** What the counters report at the next collection. */
  readonly totals: {
    readonly invocations: Totals;
    readonly errors: Totals;
    readonly timeouts: Totals;
    readonly coldstarts: Totals;
  };
}

/** Create the instruments. In Prometheus: `faas_invocations_total`, …, `faas_invoke_duration_seconds_bucket`. */
export function createFaasInstruments(meter: Meter): FaasInstruments {
  const invocations = meter.createObservableCounter('faas.invocations', { description: 'Invocations of the function', unit: '{invocation}' });
  const errors = meter.createObservableCounter('faas.errors', { description: 'Invocations that ended in an error', unit: '{error}' });
  const timeouts = meter.createObservableCounter('faas.timeouts', { description: 'Invocations that timed out', unit: '{timeout}' });
  const coldstarts = meter.createObservableCounter('faas.coldstarts', { description: 'Invocations that were cold starts', unit: '{coldstart}' });
  const duration = meter.createHistogram('faas.invoke_duration', {
    description: 'Duration of invocations',
    unit: 's',
    advice: { explicitBucketBoundaries: [...INVOKE_DURATION_BUCKETS] },
  });
  const totals = { invocations: new Map(), errors: new Map(), timeouts: new Map(), coldstarts: new Map() } satisfies FaasInstruments['totals'];
  meter.addBatchObservableCallback(
    (result) => {
      for (const [attributes, value] of totals.invocations) result.observe(invocations, value, attributes);
      for (const [attributes, value] of totals.errors) result.observe(errors, value, attributes);
      for (const [attributes, value] of totals.timeouts) result.observe(timeouts, value, attributes);
      for (const [attributes, value] of totals.coldstarts) result.observe(coldstarts, value, attributes);
    },
    [invocations, errors, timeouts, coldstarts],
  );
  return { invocations, errors, timeouts, coldstarts, duration, totals };
}

/** Record one finished invocation. */
export function recordSummary(i: FaasInstruments, summary: InvocationSummary): void {
  const set = summaryAttributes(summary);
  increment(i.totals.invocations, set.counted);
  // The context is only handed to attribute processors, and ours (redaction) does not read it:
  // passed, the SDK does not look the active one up on every record.
  i.duration.record(summary.durationMs / 1000, set.attributes, ROOT_CONTEXT);
  if (summary.coldStart) increment(i.totals.coldstarts, triggerAttributes(summary.trigger));
  if (summary.outcome === 'error') {
    const type = summary.errorType ?? 'Error';
    increment(i.totals.errors, canonicalSet(`e\0${summary.trigger}\0${type}`, () => ({ 'faas.trigger': summary.trigger, 'error.type': type })) ?? OVERFLOW);
  }
  if (summary.outcome === 'timeout') increment(i.totals.timeouts, triggerAttributes(summary.trigger));
}

function increment(totals: Totals, attributes: Readonly<Attributes>): void {
  totals.set(attributes, (totals.get(attributes) ?? 0) + 1);
}

/**
 * The totals are keyed by object, so equal labels must always come as the same object: one frozen
 * set per distinct label combination, for the life of the process. The combinations are few by
 * construction; past MAX_SETS (far beyond any cardinality limit, whose excess the SDK folds into
 * the overflow series anyway) the counters count in that series directly, and memory stays bounded.
 */
const MAX_SETS = 10_000;
const OVERFLOW: Readonly<Attributes> = Object.freeze({ 'otel.metric.overflow': true });
const sets = new Map<string, Readonly<Attributes>>();

function canonicalSet(key: string, build: () => Attributes): Readonly<Attributes> | undefined {
  let set = sets.get(key);
  if (set === undefined && sets.size < MAX_SETS) sets.set(key, (set = Object.freeze(build())));
  return set;
}

function triggerAttributes(trigger: string): Readonly<Attributes> {
  return canonicalSet(`t\0${trigger}`, () => ({ 'faas.trigger': trigger })) ?? OVERFLOW;
}

interface SummaryAttributes {
  readonly trigger: string;
  readonly outcome: string;
  readonly route: string | undefined;
  readonly statusClass: number | undefined;
  /** What the duration histogram records. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Where the invocations counter counts: the same set, or the overflow set past MAX_SETS. */
  readonly counted: Readonly<Attributes>;
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
  lastAttributes = { trigger: summary.trigger, outcome: summary.outcome, route, statusClass, attributes, counted: canonical ?? OVERFLOW };
  return lastAttributes;
}
