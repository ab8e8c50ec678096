// lambda-observe: the same handler with every signal used once per invocation — one log line,
// one annotate(), one custom metric, one child span through the OpenTelemetry API.
//
// Which build of the library (npm package dist/ or the bundled layer stand-in) and which copy of
// @opentelemetry/api the handler uses come from the harness (BENCH_LIBRARY, BENCH_OTEL_API), so
// one handler file serves every lambda-observe variant. Exporters and the flush mode are chosen by
// the environment only, exactly as a user would.
const [{ observe, getLogger, annotate }, { trace, metrics }] = await Promise.all([
  import(process.env.BENCH_LIBRARY),
  import(process.env.BENCH_OTEL_API),
]);

const log = getLogger('orders');
const tracer = trace.getTracer('bench');
// At module scope, as handlers do: lambda-observe registers its meter provider when it is imported.
const ordersLoaded = metrics.getMeter('bench').createCounter('orders.loaded', { description: 'Orders loaded' });

export const handler = observe(async (event) => {
  const id = event.pathParameters?.id ?? 'unknown';
  log.info('loading order', { 'order.id': id });
  annotate({ 'order.id': id, 'user.tier': 'gold' });
  ordersLoaded.add(1, { 'user.tier': 'gold' });
  const order = tracer.startActiveSpan('load order', (span) => {
    span.setAttribute('order.id', id);
    const loaded = { id, total: 42 };
    span.end();
    return loaded;
  });
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(order) };
});
