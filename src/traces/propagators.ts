/**
 * `OTEL_PROPAGATORS` → the global propagator, which decides what outgoing calls carry (and what
 * `propagation.extract` reads in user code). The X-Ray propagator is imported only when selected;
 * the import starts at init and, until it lands, X-Ray headers are simply not written.
 */
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { PropagatorName } from '../config.ts';

let xray: TextMapPropagator | undefined;
let xrayLoading: Promise<void> | undefined;

/** Start importing the X-Ray propagator if it is selected (idempotent, never rejects). */
export function preloadPropagators(names: readonly PropagatorName[]): void {
  if (!names.includes('xray')) return;
  xrayLoading ??= import('@opentelemetry/propagator-aws-xray').then(
    ({ AWSXRayPropagator }) => {
      xray = new AWSXRayPropagator();
    },
    () => undefined,
  );
}

/** The composite of the selected propagators, in the order given. */
export function createPropagator(names: readonly PropagatorName[]): TextMapPropagator {
  preloadPropagators(names);
  const propagators: TextMapPropagator[] = [];
  for (const name of new Set(names)) {
    if (name === 'tracecontext') propagators.push(new W3CTraceContextPropagator());
    else if (name === 'baggage') propagators.push(new W3CBaggagePropagator());
    else if (name === 'xray') propagators.push(lazyXray);
  }
  return new CompositePropagator({ propagators });
}

const lazyXray: TextMapPropagator = {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    xray?.inject(context, carrier, setter);
  },
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return xray ? xray.extract(context, carrier, getter) : context;
  },
  fields: () => ['x-amzn-trace-id'],
};
