/**
 * The traces signal: our TracerProvider (registered globally so `trace.getTracer()` in user code
 * joins the invocation's trace), the invocation span, and its flush.
 */
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ParentBasedSampler, AlwaysOnSampler, SimpleSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Config } from '../config.ts';
import { invocationContextManager } from '../context.ts';
import type { ResourceAttributes } from '../resource.ts';
import { createConsoleSpanExporter } from './console-exporter.ts';
import { createOpenSpanTracker } from './open-spans.ts';

export interface TracingDeps {
  readonly resource: ResourceAttributes;
  readonly warn: (key: string, message: string, fields?: Record<string, unknown>) => void;
  readonly writeLine: (line: string) => void;
}

export interface Tracing {
  readonly tracer: Tracer;
  /** Export every ended span; resolves when done (the caller bounds the wait). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export const TRACER_NAME = 'lambda-observe';

export function createTracing(config: Config, deps: TracingDeps): Tracing {
  const provider = new TracerProvider({
    resource: resourceFromAttributes(deps.resource),
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [createOpenSpanTracker(), ...createSpanProcessors(config, deps)],
  });
  registerGlobals(provider, deps);
  return {
    tracer: provider.getTracer(TRACER_NAME),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

function createSpanProcessors(config: Config, deps: TracingDeps): SpanProcessor[] {
  const processors: SpanProcessor[] = [];
  for (const name of config.tracesExporter) {
    if (name === 'console') processors.push(new SimpleSpanProcessor({ exporter: createConsoleSpanExporter(deps.writeLine) }));
  }
  return processors;
}

function registerGlobals(provider: TracerProvider, deps: TracingDeps): void {
  // The context manager is what makes child spans created in the handler find the invocation span.
  if (!context.setGlobalContextManager(invocationContextManager)) {
    deps.warn('traces:context-manager', 'another OpenTelemetry context manager is registered; lambda-observe uses it');
  }
  if (!trace.setGlobalTracerProvider(provider)) {
    deps.warn('traces:provider', 'another OpenTelemetry tracer provider is registered; spans created with trace.getTracer() go there');
  }
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
}
