/**
 * The automatic FaaS metrics (OTel semantic conventions), recorded once per invocation from its
 * summary. Attributes are low-cardinality by construction: trigger, outcome, the HTTP route
 * template (never a raw path), the status class, the error's type.
 */
import { ROOT_CONTEXT, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import type { InvocationSummary } from '../context.ts';

/**
 * Seconds, from 1 ms to Lambda's 15-minute ceiling: dense where most functions live (1 ms – 1 s),
 * sparse above. 19 boundaries = 20 buckets per series; every series is pushed on each push.
 */
export const INVOKE_DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900,
];

/** The automatic instruments, created once per provider. */
export interface FaasInstruments {
  readonly invocations: Counter;
  readonly errors: Counter;
  readonly timeouts: Counter;
  readonly coldstarts: Counter;
  readonly duration: Histogram;
}

/** Create the instruments. In Prometheus: `faas_invocations_total`, …, `faas_invoke_duration_seconds_bucket`. */
export function createFaasInstruments(meter: Meter): FaasInstruments {
  return {
    invocations: meter.createCounter('faas.invocations', { description: 'Invocations of the function', unit: '{invocation}' }),
    errors: meter.createCounter('faas.errors', { description: 'Invocations that ended in an error', unit: '{error}' }),
    timeouts: meter.createCounter('faas.timeouts', { description: 'Invocations that timed out', unit: '{timeout}' }),
    coldstarts: meter.createCounter('faas.coldstarts', { description: 'Invocations that were cold starts', unit: '{coldstart}' }),
    duration: meter.createHistogram('faas.invoke_duration', {
      description: 'Duration of invocations',
      unit: 's',
      advice: { explicitBucketBoundaries: [...INVOKE_DURATION_BUCKETS] },
    }),
  };
}

/** Record one finished invocation. */
export function recordSummary(i: FaasInstruments, summary: InvocationSummary): void {
  const attributes = summaryAttributes(summary);
  // The context only reaches attribute processors, and ours (label redaction) does not read it:
  // passed, the SDK does not look up the active one on every record.
  i.invocations.add(1, attributes, ROOT_CONTEXT);
  i.duration.record(summary.durationMs / 1000, attributes, ROOT_CONTEXT);
  if (summary.coldStart) i.coldstarts.add(1, { 'faas.trigger': summary.trigger }, ROOT_CONTEXT);
  if (summary.outcome === 'error') i.errors.add(1, { 'faas.trigger': summary.trigger, 'error.type': summary.errorType ?? 'Error' }, ROOT_CONTEXT);
  if (summary.outcome === 'timeout') i.timeouts.add(1, { 'faas.trigger': summary.trigger }, ROOT_CONTEXT);
}

interface SummaryAttributes {
  readonly trigger: string;
  readonly outcome: string;
  readonly route: string | undefined;
  readonly statusClass: number | undefined;
  readonly attributes: Readonly<Record<string, string>>;
}

let lastAttributes: SummaryAttributes | undefined;

/**
 * The attribute set of an invocation's `faas.invocations` and `faas.invoke_duration`. Consecutive
 * invocations nearly always share it (same trigger, route, outcome and status class): the last one
 * is reused, frozen, so the metrics pipeline may also remember what it made of it
 * (redact-labels.ts).
 */
function summaryAttributes(summary: InvocationSummary): Readonly<Record<string, string>> {
  const route = summary.httpRoute || undefined;
  const statusClass = summary.httpStatusCode === undefined ? undefined : Math.floor(summary.httpStatusCode / 100);
  const last = lastAttributes;
  if (last && last.trigger === summary.trigger && last.outcome === summary.outcome && last.route === route && last.statusClass === statusClass) {
    return last.attributes;
  }
  const attributes: Record<string, string> = { 'faas.trigger': summary.trigger, outcome: summary.outcome };
  if (route) attributes['http.route'] = route;
  if (statusClass !== undefined) attributes['http.response.status_class'] = `${statusClass}xx`;
  lastAttributes = { trigger: summary.trigger, outcome: summary.outcome, route, statusClass, attributes: Object.freeze(attributes) };
  return lastAttributes.attributes;
}
