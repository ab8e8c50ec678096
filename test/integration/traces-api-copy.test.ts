/**
 * A tracer the function takes at module scope from another copy of @opentelemetry/api than the one
 * lambda-observe uses (the layer's copy, or one bundled into the function, next to lambda-observe
 * from the layer) records real child spans of the invocation span, not non-recording stand-ins.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';

const REPO = resolve(import.meta.dirname, '../..');
let dir = '';
let apiCopy = '';

before(async () => {
  // One file, as the layer ships it: a module instance of its own, sharing only the API's global registry.
  dir = mkdtempSync(join(tmpdir(), 'lambda-observe-api-copy-'));
  apiCopy = join(dir, 'api-copy.mjs');
  await build({ entryPoints: [join(REPO, 'node_modules/@opentelemetry/api/dist/index.mjs')], bundle: true, format: 'esm', platform: 'node', outfile: apiCopy, logLevel: 'warning' });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a module-scope tracer from another copy of the API records child spans of the invocation span', () => {
  const url = (path: string) => JSON.stringify(pathToFileURL(path).href);
  const script = `import { observe } from ${url(join(REPO, 'src/index.ts'))};
    import { lambdaContext } from ${url(join(REPO, 'test/support/lambda-context.ts'))};
    import { trace } from ${url(apiCopy)};
    const tracer = trace.getTracer('user-code');
    const handler = observe(async () => {
      tracer.startActiveSpan('load order', (span) => span.end());
      return { statusCode: 200 };
    });
    await handler({}, lambdaContext({ functionName: 'orders' }));`;
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, AWS_LAMBDA_FUNCTION_NAME: 'orders', OTEL_TRACES_EXPORTER: 'console', LAMBDA_OBSERVE_METRICS_EXPORTER: 'none' },
  });
  const lines = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  const wide = lines.find((line) => (line.event as { name?: string } | undefined)?.name === 'faas.invocation');
  assert.ok(wide, stdout);
  const child = lines.find((line) => line['event.name'] === 'otel.span' && line.name === 'load order');
  assert.ok(child, `no 'load order' span was exported:\n${stdout}`);
  assert.equal(child.trace_id, wide.trace_id);
  assert.equal(child.parent_span_id, wide.span_id);
  assert.notEqual(child.span_id, wide.span_id);
});
