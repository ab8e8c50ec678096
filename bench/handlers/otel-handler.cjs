// The handler the OpenTelemetry instrumentation wraps (CommonJS: its require hook patches it; an
// ES module handler would need the import-in-the-middle loader as well). The same work as
// observe.mjs, as far as the instrumentation offers it: one JSON log line carrying the trace ids,
// one attribute on the invocation span (the nearest thing to annotate()), one child span. It has
// no metrics and no log pipeline of its own; that only flatters it here.
'use strict';
const { trace } = require('@opentelemetry/api');

const tracer = trace.getTracer('bench');

exports.handler = async (event, context) => {
  const id = event.pathParameters?.id ?? 'unknown';
  const invocationSpan = trace.getActiveSpan();
  const ids = invocationSpan?.spanContext();
  console.log(
    JSON.stringify({
      timestamp: new Date().toISOString(),
      level: 'info',
      message: 'loading order',
      'order.id': id,
      trace_id: ids?.traceId,
      span_id: ids?.spanId,
      request_id: context.awsRequestId,
    }),
  );
  invocationSpan?.setAttribute('user.tier', 'gold');
  const order = tracer.startActiveSpan('load order', (span) => {
    span.setAttribute('order.id', id);
    const loaded = { id, total: 42 };
    span.end();
    return loaded;
  });
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(order) };
};
