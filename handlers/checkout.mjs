// The npm-package path: wrap the handler with observe() and use the logger, annotate() and a
// custom metric. Everything it logs and annotates carries the invocation's trace and request ids.
import { metrics } from '@opentelemetry/api';
import { annotate, getLogger, observe } from 'lambda-observe';

const log = getLogger('checkout');
const checkouts = metrics.getMeter('checkout').createCounter('checkouts', { description: 'Completed checkouts' });

export const handler = observe(async (event) => {
  const body = JSON.parse(event?.body ?? '{}');
  annotate({ 'cart.items': body.items?.length ?? 0, 'customer.tier': body.tier ?? 'standard' });
  log.info('checkout started', { items: body.items?.length ?? 0 });
  if (!body.items?.length) {
    log.warn('empty cart rejected');
    return { statusCode: 400, body: JSON.stringify({ error: 'empty cart' }) };
  }
  checkouts.add(1, { tier: body.tier ?? 'standard' });
  return { statusCode: 201, body: JSON.stringify({ ok: true }) };
});
