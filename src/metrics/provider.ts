/**
 * The execution environment's MeterProvider, created and registered globally when lambda-observe
 * is imported, not at the first invocation.
 *
 * Why at import: @opentelemetry/api has no proxy meter provider. A meter taken before a provider
 * is registered is a no-op forever, and handler modules take their meters at top level
 * (`const orders = metrics.getMeter('shop').createCounter(...)`), before any invocation. Building
 * it costs well under a millisecond. Nothing here depends on `observe()` options: the resource
 * is attached when data is exported, the push target is configured by `createMetrics()`.
 */
import { metrics, type Meter } from '@opentelemetry/api';
import { MeterProvider, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { peekEnv } from '../config.ts';
import { createFaasInstruments, type FaasInstruments } from './faas-instruments.ts';
import { registerProcessInstruments } from './process-instruments.ts';
import { PullMetricReader } from './pull-reader.ts';
import { redactingAttributesProcessor } from './redact-labels.ts';
import { createSelfInstruments, type SelfInstruments } from './self-instruments.ts';

/** The name of lambda-observe's own meter (FaaS, process and self metrics, enum gauges by default). */
export const METER_NAME = 'lambda-observe';

/** A provider with our reader, view and instruments. */
export interface MeterPipeline {
  readonly provider: MeterProvider;
  readonly reader: PullMetricReader;
  /** lambda-observe's own meter. */
  readonly meter: Meter;
  readonly faas: FaasInstruments;
  readonly self: SelfInstruments;
}

/** The environment's pipeline and whether it is the global provider. */
export interface EnvironmentMetrics extends MeterPipeline {
  /** False if another provider was registered first: `metrics.getMeter()` in user code goes there, not into our push. */
  readonly registeredGlobally: boolean;
}

/** Build a pipeline (not registered). Tests build their own; the environment's is `environmentMetrics()`. */
export function createMeterPipeline(options: { cardinalityLimit: number }): MeterPipeline {
  const reader = new PullMetricReader();
  const views: ViewOptions[] = [
    {
      // Every instrument, ours and the user's: label values are redacted before aggregation, and
      // the number of attribute sets is bounded (the rest lands in one otel.metric.overflow series).
      instrumentName: '*',
      attributesProcessors: [redactingAttributesProcessor],
      aggregationCardinalityLimit: options.cardinalityLimit,
    },
  ];
  const provider = new MeterProvider({ readers: [reader], views });
  const meter = provider.getMeter(METER_NAME);
  const faas = createFaasInstruments(meter);
  registerProcessInstruments(meter);
  const self = createSelfInstruments(meter);
  return { provider, reader, meter, faas, self };
}

let environment: EnvironmentMetrics | undefined;

/** The environment's pipeline, registered as the global meter provider. */
export function environmentMetrics(): EnvironmentMetrics {
  if (environment) return environment;
  const pipeline = createMeterPipeline({ cardinalityLimit: peekEnv().metrics.cardinalityLimit });
  const registeredGlobally = metrics.setGlobalMeterProvider(pipeline.provider);
  environment = { ...pipeline, registeredGlobally };
  return environment;
}

environmentMetrics();
