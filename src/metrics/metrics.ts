/**
 * The metrics signal: automatic FaaS metrics recorded from each invocation's summary, the global
 * MeterProvider that user code reaches through `metrics.getMeter()`, and the flush.
 */
import { metrics, type Counter, type Histogram } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Config } from '../config.ts';
import type { InvocationSummary } from '../context.ts';
import type { ResourceAttributes } from '../resource.ts';

export interface MetricsDeps {
  readonly resource: ResourceAttributes;
  readonly warn: (key: string, message: string, fields?: Record<string, unknown>) => void;
}

export interface Metrics {
  record(summary: InvocationSummary): void;
  /** Deliver what was recorded (push); resolves when done (the caller bounds the wait). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export const METER_NAME = 'lambda-observe';

export function createMetrics(_config: Config, deps: MetricsDeps): Metrics {
  const provider = new MeterProvider({ resource: resourceFromAttributes(deps.resource) });
  if (!metrics.setGlobalMeterProvider(provider)) {
    deps.warn('metrics:provider', 'another OpenTelemetry meter provider is registered; metrics.getMeter() goes there');
  }
  const instruments = createFaasInstruments(provider.getMeter(METER_NAME));
  return {
    record: (summary) => recordSummary(instruments, summary),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

interface FaasInstruments {
  invocations: Counter;
  errors: Counter;
  timeouts: Counter;
  coldstarts: Counter;
  duration: Histogram;
}

function createFaasInstruments(meter: ReturnType<MeterProvider['getMeter']>): FaasInstruments {
  return {
    invocations: meter.createCounter('faas.invocations', { description: 'Invocations of the function', unit: '{invocation}' }),
    errors: meter.createCounter('faas.errors', { description: 'Invocations that ended in an error', unit: '{error}' }),
    timeouts: meter.createCounter('faas.timeouts', { description: 'Invocations that timed out', unit: '{timeout}' }),
    coldstarts: meter.createCounter('faas.coldstarts', { description: 'Invocations that were cold starts', unit: '{coldstart}' }),
    duration: meter.createHistogram('faas.invoke_duration', { description: 'Duration of invocations', unit: 's' }),
  };
}

function recordSummary(i: FaasInstruments, summary: InvocationSummary): void {
  const attributes: Record<string, string> = { 'faas.trigger': summary.trigger, outcome: summary.outcome };
  if (summary.httpRoute) attributes['http.route'] = summary.httpRoute;
  if (summary.httpStatusCode !== undefined) attributes['http.response.status_class'] = `${Math.floor(summary.httpStatusCode / 100)}xx`;
  i.invocations.add(1, attributes);
  i.duration.record(summary.durationMs / 1000, attributes);
  if (summary.coldStart) i.coldstarts.add(1, { 'faas.trigger': summary.trigger });
  if (summary.outcome === 'error') i.errors.add(1, { 'faas.trigger': summary.trigger, 'error.type': summary.errorType ?? 'Error' });
  if (summary.outcome === 'timeout') i.timeouts.add(1, { 'faas.trigger': summary.trigger });
}
