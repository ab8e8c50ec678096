/** OTEL_TRACES_EXPORTER=console: each span as one JSON line on stdout, in the same trace as the logs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario } from './traces-harness.ts';

test('console exporter: one otel.span line per span, correlated with the wide event', async () => {
  const run = await runScenario('api', { OTEL_TRACES_EXPORTER: 'console' });
  const spans = run.lines.filter((line) => line['event.name'] === 'otel.span');
  assert.deepEqual(spans.map((s) => s.name).sort(), ['GET /orders/{id}', 'charge card', 'load order']);
  const wide = run.wideEvents[0];
  assert.ok(wide);
  for (const span of spans) assert.equal(span.trace_id, wide.trace_id);
  const root = spans.find((s) => s.name === 'GET /orders/{id}');
  assert.equal(root?.span_id, wide.span_id);
  assert.equal(spans.find((s) => s.name === 'charge card')?.parent_span_id, wide.span_id);
});
