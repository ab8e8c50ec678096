// The OpenTelemetry aws-lambda instrumentation, set up the way the OpenTelemetry Lambda layer's
// wrapper does it (loaded with `node --require` before the function's code): a tracer provider
// with a batch processor and the OTLP/HTTP exporter, the AsyncLocalStorage context manager, W3C
// propagation, and the instrumentation, which patches the handler module named by
// LAMBDA_TASK_ROOT/_HANDLER when it is required and force-flushes the provider after every
// invocation.
'use strict';
const api = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } = require('@opentelemetry/core');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { AwsLambdaInstrumentation } = require('@opentelemetry/instrumentation-aws-lambda');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BatchSpanProcessor, TracerProvider } = require('@opentelemetry/sdk-trace');

const endpoint = (process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318').replace(/\/$/, '');
const provider = new TracerProvider({
  resource: resourceFromAttributes({
    'service.name': process.env.OTEL_SERVICE_NAME ?? process.env.AWS_LAMBDA_FUNCTION_NAME,
    'cloud.provider': 'aws',
    'cloud.region': process.env.AWS_REGION,
    'faas.name': process.env.AWS_LAMBDA_FUNCTION_NAME,
    'faas.version': process.env.AWS_LAMBDA_FUNCTION_VERSION,
  }),
  spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }) })],
});
api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
api.propagation.setGlobalPropagator(
  new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
);
api.trace.setGlobalTracerProvider(provider);
registerInstrumentations({ instrumentations: [new AwsLambdaInstrumentation()], tracerProvider: provider });
