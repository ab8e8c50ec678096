// An API Gateway handler (ES module) that knows nothing about lambda-observe: deployed with the
// layer, AWS_LAMBDA_EXEC_WRAPPER wraps it with no code change. It only uses the standard
// OpenTelemetry API for one child span, which joins the invocation's trace.
import { trace, SpanStatusCode } from '@opentelemetry/api';

const tracer = trace.getTracer('orders-api');
const orders = new Map([
  ['42', { id: '42', status: 'shipped', total_cents: 1999 }],
  ['7', { id: '7', status: 'placed', total_cents: 500 }],
]);

export const handler = async (event) => {
  const id = event?.pathParameters?.id ?? '42';
  if (id === 'boom') throw new Error(`order store unavailable while loading order ${id}`);

  const order = await tracer.startActiveSpan('load order', async (span) => {
    span.setAttribute('order.id', id);
    await new Promise((resolve) => setTimeout(resolve, 3));
    const found = orders.get(id);
    if (!found) span.setStatus({ code: SpanStatusCode.ERROR, message: 'not found' });
    span.end();
    return found;
  });

  if (!order) return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: '{"error":"not found"}' };
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(order) };
};
