// One cold start: load the handler, report "ready", run the first invocation, report "first",
// exit. Times are performance.now(), i.e. milliseconds since this process started, so they cover
// Node's own boot as well; the harness times the same marks from outside (spawn → message).
import { fail, loadHandler, nextInvocation, report } from './lambda.mjs';

try {
  const handler = await loadHandler();
  const ready = performance.now();
  report({ type: 'ready', at: ready });
  const { event, context } = nextInvocation();
  const result = await handler(event, context);
  const first = performance.now();
  if (result?.statusCode !== 200) throw new Error(`unexpected result ${JSON.stringify(result)}`);
  report({ type: 'first', at: first, ready });
  // Exit now, like a frozen environment: pending background work (async flush) is not measured here.
  process.exit(0);
} catch (error) {
  fail(error);
}
