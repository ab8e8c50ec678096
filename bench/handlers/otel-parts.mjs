// Control: the same job as lambda-observe's exporting variants, done with stock OpenTelemetry SDK
// parts and nothing of lambda-observe, bundled into one minified ES module the way a function is
// deployed (and the layer is built): bench/lib/build.ts → bench/.build/otel-parts.mjs.
//
// Per invocation: a SERVER span parented to the caller's traceparent, one JSON log line with the
// trace ids, attributes on the invocation span, the user's counter, a child span; the function's
// invocation, cold-start and duration metrics; then, before returning, the spans force-flushed over
// OTLP/HTTP (the OpenTelemetry Lambda layer's batch processor + exporter) and the metrics collected,
// written by exporter-prometheus's serializer and PUT to the Pushgateway. Less than lambda-observe
// does (no wide event, no redaction, no X-Ray, SQS or SNS parents): what the OpenTelemetry SDK's
// own parts cost for the signals the budgets measure.
import { writeSync } from 'node:fs';
import http from 'node:http';
import { context, metrics, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

const FUNCTION_NAME = process.env.AWS_LAMBDA_FUNCTION_NAME;
const resource = resourceFromAttributes({
  'service.name': process.env.OTEL_SERVICE_NAME ?? FUNCTION_NAME,
  'cloud.provider': 'aws',
  'cloud.region': process.env.AWS_REGION,
  'faas.name': FUNCTION_NAME,
  'faas.version': process.env.AWS_LAMBDA_FUNCTION_VERSION,
});

const spanProcessor = new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces` }) });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(new TracerProvider({ resource, spanProcessors: [spanProcessor] }));

/**
 * Collects only when asked: the push below reads the metrics once per invocation. The same few lines
 * as lambda-observe's src/metrics/pull-reader.ts, written out here so that the control loads nothing
 * of lambda-observe.
 */
class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  onForceFlush() {
    return Promise.resolve();
  }
  onShutdown() {
    return Promise.resolve();
  }
}
const reader = new OnDemandReader();
metrics.setGlobalMeterProvider(new MeterProvider({ resource, readers: [reader] }));
const meter = metrics.getMeter('faas');
const invocations = meter.createCounter('faas.invocations', { unit: '{invocation}' });
const errors = meter.createCounter('faas.errors', { unit: '{error}' });
const coldStarts = meter.createCounter('faas.coldstarts', { unit: '{coldstart}' });
const duration = meter.createHistogram('faas.invoke_duration', { unit: 's' });

const serializer = new PrometheusSerializer();
const agent = new http.Agent({ keepAlive: true });
// One group for every process of this variant, as lambda-observe's rows share one (the bench's log
// stream name): a group per process would grow the gateway's store, and with it the time it takes
// to answer every later push of the run. Without a Pushgateway (the harness could not start one)
// the metrics are still collected and serialized.
const pushUrl = process.env.BENCH_PUSHGATEWAY_URL ? `${process.env.BENCH_PUSHGATEWAY_URL}/metrics/job/otel-parts/instance/bench` : undefined;

function push(text) {
  return new Promise((resolve, reject) => {
    const request = http.request(pushUrl, { method: 'PUT', agent, headers: { 'content-type': 'text/plain; version=0.0.4' } }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`Pushgateway answered ${response.statusCode}`))));
    });
    request.on('error', reject);
    request.end(text);
  });
}

async function flush() {
  const { resourceMetrics } = await reader.collect();
  const text = serializer.serialize(resourceMetrics);
  await Promise.all([spanProcessor.forceFlush(), pushUrl ? push(text) : undefined]);
}

let coldStart = true;
const invocationTracer = trace.getTracer('otel-parts');

function wrap(handler) {
  return async (event, lambdaContext) => {
    const started = performance.now();
    const parent = propagation.extract(context.active(), event.headers ?? {});
    const attributes = { 'faas.trigger': 'http', 'faas.name': FUNCTION_NAME };
    const span = invocationTracer.startSpan(
      event.requestContext?.resourcePath ?? 'handler',
      { kind: SpanKind.SERVER, attributes: { ...attributes, 'faas.invocation_id': lambdaContext.awsRequestId, 'faas.coldstart': coldStart } },
      parent,
    );
    invocations.add(1, attributes);
    if (coldStart) coldStarts.add(1, attributes);
    coldStart = false;
    try {
      const result = await context.with(trace.setSpan(parent, span), () => handler(event, lambdaContext));
      span.setAttribute('http.response.status_code', result?.statusCode);
      return result;
    } catch (error) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      errors.add(1, attributes);
      throw error;
    } finally {
      span.end();
      duration.record((performance.now() - started) / 1000, attributes);
      await flush();
    }
  };
}

function logInfo(message, fields) {
  const spanContext = trace.getActiveSpan()?.spanContext();
  const line = { timestamp: new Date().toISOString(), level: 'info', message, trace_id: spanContext?.traceId, span_id: spanContext?.spanId, ...fields };
  writeSync(1, `${JSON.stringify(line)}\n`);
}

// The function's own code: the same handler as handlers/observe.mjs.
const tracer = trace.getTracer('bench');
const ordersLoaded = metrics.getMeter('bench').createCounter('orders.loaded', { description: 'Orders loaded' });

export const handler = wrap(async (event) => {
  const id = event.pathParameters?.id ?? 'unknown';
  logInfo('loading order', { 'order.id': id });
  trace.getActiveSpan()?.setAttributes({ 'order.id': id, 'user.tier': 'gold' });
  ordersLoaded.add(1, { 'user.tier': 'gold' });
  const order = tracer.startActiveSpan('load order', (span) => {
    span.setAttribute('order.id', id);
    const loaded = { id, total: 42 };
    span.end();
    return loaded;
  });
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(order) };
});
