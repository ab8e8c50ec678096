/**
 * The traces signal: our TracerProvider (registered globally so `trace.getTracer()` in user code
 * joins the invocation's trace), the selected exporters behind a delivery guard, the sampler and
 * propagators of OTEL_*, outgoing HTTP propagation, and the end-of-invocation flush.
 *
 * Built from the SDK's parts rather than @opentelemetry/sdk-node, which statically loads every
 * exporter (gRPC included): see bench/sdk-node-vs-parts.ts for the cold-start figures.
 */
import { context, metrics, propagation, type Counter, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Config } from '../config.ts';
import { invocationContextManager } from '../context.ts';
import type { ResourceAttributes } from '../resource.ts';
import { createConsoleSpanExporter } from './console-exporter.ts';
import { exporterEndpoint, loadExporter, preloadExporter, type RemoteExporterName } from './exporters.ts';
import { delegateGlobalTracerProvider } from './global-tracer-provider.ts';
import { createGuardedExporter, type DropReason, type GuardedExporter } from './guarded-exporter.ts';
import { disableHttpPropagation, enableHttpPropagation } from './http-propagation.ts';
import { createOpenSpanTracker } from './open-spans.ts';
import { createSpanRedactor } from './redact-spans.ts';
import { createPropagator, preloadPropagators } from './propagators.ts';
import { createSampler } from './sampler.ts';

export interface TracingDeps {
  readonly resource: ResourceAttributes;
  readonly warn: (key: string, message: string, fields?: Record<string, unknown>) => void;
  readonly writeLine: (line: string) => void;
}

export interface Tracing {
  readonly tracer: Tracer;
  /**
   * Export every ended span. With `budgetMs`, exports still waiting on the backend give up just
   * before it, so the flush ends inside the invocation's budget with the failure accounted for.
   * Never rejects: delivery problems are warned once and counted by the guard.
   */
  flush(budgetMs?: number): Promise<void>;
  shutdown(): Promise<void>;
}

export const TRACER_NAME = 'lambda-observe';
/** The counter of spans that never reached a backend. In Prometheus: `lambda_observe_spans_dropped_total`. */
export const SPANS_DROPPED_METRIC = 'lambda_observe.spans_dropped';

/** Longest timer Node accepts: the batch processor's own timer must never fire (it would fire after a thaw). */
const NEVER_MS = 2_147_483_647;
/** What a flush keeps between the guards' deadline and the lifecycle's own, so ours fires first. */
const FLUSH_SLACK_MS = 20;

/**
 * Start loading what the config selects (exporter modules, the X-Ray propagator, node:http).
 * Called when a wrapper's config is resolved, i.e. during Lambda's init. Never throws.
 */
export function preloadTracing(config: Config): void {
  try {
    for (const name of remoteExporters(config)) preloadExporter(name, { traces: config.traces, timeoutMs: exporterTimeoutMs(name, config) });
    preloadPropagators(config.traces.propagators);
  } catch {
    // The first export loads it anyway, and reports a failure.
  }
}

export function createTracing(config: Config, deps: TracingDeps): Tracing {
  let droppedCounter: Counter | undefined;
  const onDropped = (count: number, reason: DropReason, exporter: string): void => {
    try {
      // Through the global API: traces must not know the metrics module. Created on first use,
      // when the meter provider is registered.
      droppedCounter ??= metrics.getMeter(TRACER_NAME).createCounter(SPANS_DROPPED_METRIC, {
        description: 'Spans that could not be delivered to a trace backend',
        unit: '{span}',
      });
      droppedCounter.add(count, { exporter, reason });
    } catch {
      // Counting is best effort.
    }
  };

  const guards: GuardedExporter[] = [];
  const processors: SpanProcessor[] = [];
  if (config.tracesExporter.includes('console')) {
    processors.push(new SimpleSpanProcessor({ exporter: createConsoleSpanExporter(deps.writeLine) }));
  }
  for (const name of remoteExporters(config)) {
    const timeoutMs = exporterTimeoutMs(name, config);
    const guard = createGuardedExporter({
      name,
      endpoint: exporterEndpoint(name, config.traces),
      load: () => loadExporter(name, { traces: config.traces, timeoutMs }),
      timeoutMs,
      warn: deps.warn,
      onDropped: (count, reason) => onDropped(count, reason, name),
    });
    guards.push(guard);
    // In SDK 3.x processors take `{ exporter }`. Export happens only on forceFlush (end of each
    // invocation) or when a batch fills up: no timer may fire while Lambda has the process frozen.
    processors.push(
      new BatchSpanProcessor({ exporter: guard, scheduledDelayMillis: NEVER_MS, exportTimeoutMillis: timeoutMs + 1000 }),
    );
  }

  const provider = new TracerProvider({
    resource: resourceFromAttributes(deps.resource),
    sampler: createSampler(config.traces),
    // The redactor's onEnding runs before any processor's onEnd hands the span to an exporter. With
    // no exporter no span leaves the process: nothing to redact, on every invocation.
    spanProcessors: processors.length > 0 ? [createOpenSpanTracker(), createSpanRedactor(), ...processors] : [createOpenSpanTracker()],
  });
  registerGlobals(provider, config, deps);
  const tracer = provider.getTracer(TRACER_NAME);
  if (config.traces.propagateHttp) enableHttpPropagation(tracer);

  return {
    tracer,
    async flush(budgetMs?: number): Promise<void> {
      const deadline = budgetMs === undefined ? undefined : Date.now() + Math.max(1, budgetMs - FLUSH_SLACK_MS);
      for (const guard of guards) guard.setDeadline(deadline);
      // forceFlush hands the batch to the exporter synchronously, so the deadline applies to it.
      const pending = processors.map((processor) => processor.forceFlush().catch(() => undefined));
      for (const guard of guards) guard.setDeadline(undefined);
      await Promise.all(pending);
    },
    async shutdown(): Promise<void> {
      disableHttpPropagation();
      await provider.shutdown().catch(() => undefined);
    },
  };
}

/** One export, retries included, never outlives the flush cap: its retry timers must not fire after a freeze. */
function exporterTimeoutMs(name: RemoteExporterName, config: Config): number {
  return Math.max(1, name === 'otlp' ? Math.min(config.traces.otlpTimeoutMs, config.flushTimeoutMs) : config.flushTimeoutMs);
}

function remoteExporters(config: Config): RemoteExporterName[] {
  return (['otlp', 'zipkin'] as const).filter((name) => config.tracesExporter.includes(name));
}

function registerGlobals(provider: TracerProvider, config: Config, deps: TracingDeps): void {
  // The context manager is what makes child spans created in the handler find the invocation span.
  if (!context.setGlobalContextManager(invocationContextManager)) {
    deps.warn('traces:context-manager', 'another OpenTelemetry context manager is registered; lambda-observe uses it');
  }
  if (!delegateGlobalTracerProvider(provider)) {
    deps.warn('traces:provider', 'another OpenTelemetry tracer provider is registered; spans created with trace.getTracer() go there');
  }
  propagation.setGlobalPropagator(createPropagator(config.traces.propagators));
}
