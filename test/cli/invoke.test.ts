/**
 * `lambda-observe invoke`, run as a subprocess from a real build: what a user sees and what
 * `--json` gives scripts, for good and bad input.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildCli, invocationIdOf, jsonLines, type BuiltCli } from './cli-harness.ts';
import { traceparents } from '../fixtures/events/index.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import { requireBinaries, startPushgateway } from '../support/prometheus-stack.ts';

let cli: BuiltCli;
before(() => {
  cli = buildCli();
});
after(() => cli?.cleanup());

/** Group `--json` lines by invocation: every line that names one, plus its spans (by trace id). */
function byInvocation(lines: Array<Record<string, any>>) {
  const results = lines.filter((l) => l['event.name'] === 'cli.invocation');
  return results.map((result) => {
    const id = result.faas.invocation_id as string;
    const own = lines.filter((l) => invocationIdOf(l) === id);
    const traceIds = new Set(own.map((l) => l.trace_id));
    const spans = lines.filter((l) => l['event.name'] === 'otel.span' && l.trace_id === result.trace_id);
    const wide = own.find((l) => l.event?.name === 'faas.invocation');
    return { id, result, own, traceIds, spans, wide };
  });
}

describe('--json', () => {
  it('prints only JSON lines, one trace id per invocation across its logs, spans, wide event and result', async () => {
    const run = await cli.run(['invoke', 'fixtures/chatty.mjs', '--times', '3', '--concurrency', '3', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const lines = jsonLines(run.stdout);
    const invocations = byInvocation(lines);
    assert.equal(invocations.length, 3);
    assert.equal(new Set(invocations.map((i) => i.result.trace_id)).size, 3, 'each invocation is its own trace');
    for (const { own, traceIds, spans, wide, result } of invocations) {
      assert.deepEqual([...traceIds], [result.trace_id], 'one trace id on every line of the invocation');
      assert.ok(own.some((l) => l.message === 'fetching' && l.logger === 'chatty'), 'the logger line is there');
      assert.ok(wide, 'the wide event is there');
      assert.equal(wide.span_id, result.span_id);
      assert.deepEqual(spans.map((s) => s.name).sort(), ['chatty', 'fetch profile', 'query db']);
      const root = spans.find((s) => s.name === 'chatty');
      assert.ok(root);
      assert.equal(root.attributes['faas.invocation_id'], result.faas.invocation_id);
    }
    const summary = lines.at(-1);
    assert.equal(summary?.['event.name'], 'cli.summary');
    assert.equal(summary?.invocations, 3);
    assert.equal(summary?.cold_starts, 1);
  });

  it('sends the handler\'s console output to stderr so stdout stays parseable', async () => {
    const run = await cli.run(['invoke', 'fixtures/chatty.mjs', '--event', '{"name":"ada"}', '--json']);
    assert.equal(run.code, 0, run.stderr);
    jsonLines(run.stdout);
    assert.match(run.stderr, /chatty module loaded/);
    assert.match(run.stderr, /handling ada/);
  });

  it('shares one lambda-observe with a handler that imports the package (its logs carry the invocation)', async () => {
    const body = JSON.stringify({ items: [{ sku: 'A', qty: 1 }], tier: 'gold' });
    const event = JSON.stringify({ version: '2.0', routeKey: 'POST /orders', rawPath: '/orders', headers: {}, requestContext: { http: { method: 'POST', path: '/orders' }, requestId: 'r1', routeKey: 'POST /orders', stage: '$default' }, body });
    const run = await cli.run(['invoke', 'handlers/checkout.mjs', '--event', event, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const [invocation] = byInvocation(jsonLines(run.stdout));
    const started = invocation?.own.find((l) => l.message === 'checkout started');
    assert.ok(started, `the handler's own log line was captured: ${run.stdout}`);
    assert.equal(started.trace_id, invocation?.result.trace_id);
    assert.equal(invocation?.wide?.['cart.items'], 1, 'annotate() reached the wide event');
    assert.equal(invocation?.result.result.statusCode, 201);
  });

  it('gives a named sample a fresh trace per invocation that continues the event\'s traceparent', async () => {
    const run = await cli.run(['invoke', 'handlers/orders-api.mjs', '--event', 'api', '--times', '2', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const invocations = byInvocation(jsonLines(run.stdout));
    const traceIds = invocations.map((i) => i.result.trace_id);
    assert.equal(new Set(traceIds).size, 2);
    assert.ok(!traceIds.includes(traceparents.api.split('-')[1]), 'not the fixture\'s fixed trace id');
    for (const { spans } of invocations) {
      const root = spans.find((s) => s.kind === 1);
      assert.ok(root, 'the invocation span (kind server)');
      assert.match(root.parent_span_id, /^[0-9a-f]{16}$/, 'the invocation span has the event\'s remote parent');
      assert.equal(spans.find((s) => s.name === 'load order')?.parent_span_id, root.span_id);
    }
  });
});

describe('the default view', () => {
  it('draws the span waterfall as a tree, children under their parent, errors marked', async () => {
    const run = await cli.run(['invoke', 'fixtures/chatty.mjs']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n');
    const root = lines.findIndex((l) => /^\s+spans\s+chatty server\s+█+\s+[\d.]+ ms$/.test(l));
    assert.ok(root >= 0, run.stdout);
    assert.match(lines[root + 1] ?? '', /^\s+└─ fetch profile\s+ *█+ *\s+[\d.]+ ms$/);
    assert.match(lines[root + 2] ?? '', /^\s+└─ query db\s+ *█+ *\s+[\d.]+ ms {2}✗ row missing$/);
    const indent = (line: string | undefined) => line?.indexOf('└─') ?? -1;
    assert.ok(indent(lines[root + 2]) > indent(lines[root + 1]), 'the grandchild is indented under the child');
    assert.match(run.stdout, /INFO\s+chatty\s+fetching\s+step=1/);
    assert.match(run.stdout, /WARN\s+chatty\s+profile incomplete/);
    assert.match(run.stdout, /console\.log\s+handling anonymous/);
    assert.match(run.stdout, /wide event\s+.*outcome=success/s);
  });

  it('shows a thrown error as the invocation\'s outcome and goes on to the next invocation', async () => {
    const boom = JSON.stringify({ httpMethod: 'GET', path: '/orders/boom', resource: '/orders/{id}', pathParameters: { id: 'boom' }, headers: {}, requestContext: { requestId: 'x', stage: 'prod', resourcePath: '/orders/{id}', httpMethod: 'GET' } });
    const run = await cli.run(['invoke', 'handlers/orders-api.mjs', '--event', boom, '--event', 'api']);
    assert.equal(run.code, 1, 'exit 1: an invocation failed');
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /▶ #1\s+GET \/orders\/boom.*✗ Error/);
    assert.match(run.stdout, /error\s+Error: order store unavailable while loading order boom/);
    assert.match(run.stdout, /▶ #2\s+GET \/orders\/42.*✓ 200/);
    assert.match(run.stdout, /summary\s+2 invocations\s+·\s+1 error\s+·\s+p50 [\d.]+ m?s\s+·\s+p99 [\d.]+ m?s\s+·\s+1 cold start/);
    assert.doesNotMatch(run.stdout, /^\s+at /m, 'no stack trace without --verbose');
  });

  it('ends an invocation at its timeout like Lambda, and exits though the handler still waits', async () => {
    const run = await cli.run(['invoke', 'fixtures/slow.mjs', '--timeout', '1000', '--json'], { timeoutMs: 10_000 });
    assert.equal(run.code, 1);
    assert.ok(run.ms < 6000, `exited after ${Math.round(run.ms)} ms`);
    const [invocation] = byInvocation(jsonLines(run.stdout));
    assert.equal(invocation?.result.outcome, 'timeout');
    assert.match(invocation?.result.error.message, /Task timed out after 1\.00 seconds/);
    assert.equal(invocation?.wide?.outcome, 'timeout');
  });

  it('stops quietly when its reader goes away (lambda-observe … | head)', async () => {
    const child = spawn(process.execPath, [join(cli.root, 'dist/cli/main.js'), 'invoke', 'fixtures/chatty.mjs', '--times', '500'], { cwd: cli.root, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.once('data', () => child.stdout.destroy());
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('the CLI kept running after its stdout was closed'));
      }, 10_000);
      child.once('close', (exit) => {
        clearTimeout(timer);
        resolve(exit);
      });
    });
    assert.equal(code, 0);
    assert.equal(stderr, '', 'no complaint about the closed pipe');
  });

  it('colours only when asked: never with NO_COLOR or into a pipe, with FORCE_COLOR', async () => {
    const plain = await cli.run(['invoke', 'fixtures/nested.handlers.main']);
    assert.doesNotMatch(plain.stdout, /\x1b\[/);
    const piped = await cli.run(['invoke', 'fixtures/nested.handlers.main'], { env: { NO_COLOR: '' } });
    assert.doesNotMatch(piped.stdout, /\x1b\[/);
    const forced = await cli.run(['invoke', 'fixtures/nested.handlers.main'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    assert.match(forced.stdout, /\x1b\[\d+m/);
  });
});

describe('handlers, as Lambda finds them', () => {
  const cases: Array<[string, string[], unknown]> = [
    ['a file path means its "handler" export', ['fixtures/default-export.mjs'], { ok: 'default' }],
    ['module.export without the extension', ['fixtures/typed.handler', '--event', '{"name":"ts"}'], { hello: 'ts' }],
    ['a nested export', ['fixtures/nested.handlers.main'], { ok: 'nested' }],
    ['a callback-style CommonJS handler', ['fixtures/callback.handler'], { callback: true, remaining: true }],
    ['a CommonJS module by file name with the export', ['handlers/orders-queue.cjs.handler', '--event', 'sqs'], { batchItemFailures: [] }],
  ];
  for (const [name, args, expected] of cases) {
    it(name, async () => {
      const run = await cli.run(['invoke', ...args, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const [invocation] = byInvocation(jsonLines(run.stdout));
      assert.deepEqual(invocation?.result.result, expected);
    });
  }

  it('builds a realistic Lambda context and environment', async () => {
    const run = await cli.run(['invoke', 'fixtures/context.handler', '--timeout', '5000', '--memory', '512', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const [invocation] = byInvocation(jsonLines(run.stdout));
    const got = invocation?.result.result;
    assert.equal(got.functionName, 'context');
    assert.equal(got.functionVersion, '$LATEST');
    assert.equal(got.invokedFunctionArn, 'arn:aws:lambda:us-east-1:123456789012:function:context');
    assert.equal(got.memoryLimitInMB, '512');
    assert.match(got.awsRequestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(got.awsRequestId, invocation?.id, 'the request id is the invocation id of the telemetry');
    assert.equal(got.logGroupName, '/aws/lambda/context');
    assert.match(got.logStreamName, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.ok(got.remainingMs > 4000 && got.remainingMs <= 5000, `remaining ${got.remainingMs}`);
    assert.deepEqual(got.env, { AWS_LAMBDA_FUNCTION_NAME: 'context', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512', AWS_REGION: 'us-east-1', _HANDLER: 'fixtures/context.handler' });
  });

  it('reads the event from stdin with --event -', async () => {
    const run = await cli.run(['invoke', 'fixtures/typed.ts', '--event', '-', '--json'], { input: '{"name":"piped"}' });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(byInvocation(jsonLines(run.stdout))[0]?.result.result, { hello: 'piped' });
  });
});

describe('bad input: one line on stderr, exit 2, no stack trace', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['a missing file', ['invoke', 'handlers/nope.handler'], /no handler module "handlers\/nope"/],
    ['a missing export', ['invoke', 'handlers/orders-api.nope'], /handlers\/orders-api\.mjs has no export "nope" \(it exports: handler\)/],
    ['an export that is not a function', ['invoke', 'fixtures/not-a-function.mjs'], /export "handler" of fixtures\/not-a-function\.mjs is a number, not a function/],
    ['a module that throws at init', ['invoke', 'fixtures/init-fails.mjs'], /handler init failed in fixtures\/init-fails\.mjs: TABLE_NAME is not set/],
    ['an event file with invalid JSON', ['invoke', 'handlers/orders-api.mjs', '--event', 'fixtures/invalid.json'], /event file fixtures\/invalid\.json is not valid JSON/],
    ['an event file that is not an object', ['invoke', 'handlers/orders-api.mjs', '--event', 'fixtures/array.json'], /event file fixtures\/array\.json must be a JSON object, got an array/],
    ['inline JSON that is not an object', ['invoke', 'handlers/orders-api.mjs', '--event', '"text"'], /must be a JSON object, got a string/],
    ['an unknown sample', ['invoke', 'handlers/orders-api.mjs', '--event', 'kinesis'], /--event "kinesis" is neither a file nor a sample \(samples: api, http/],
    ['empty stdin', ['invoke', 'handlers/orders-api.mjs', '--event', '-'], /the event on stdin is not valid JSON/],
    ['a bad number', ['invoke', 'handlers/orders-api.mjs', '--times', 'many'], /--times must be a whole number/],
    ['a timeout Lambda would refuse', ['invoke', 'handlers/orders-api.mjs', '--timeout', '100'], /--timeout must be a whole number from 1000 to 900000/],
    ['an unknown option', ['invoke', 'handlers/orders-api.mjs', '--evnt', 'api'], /unknown option --evnt/],
    ['an unknown command', ['run', 'handlers/orders-api.mjs'], /unknown command "run"/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const run = await cli.run(args);
      assert.equal(run.code, 2, `exit code, stderr: ${run.stderr}`);
      assert.equal(run.stdout, '');
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `one line: ${run.stderr}`);
      assert.match(lines[0] ?? '', /^lambda-observe: /);
      assert.match(lines[0] ?? '', message);
    });
  }

  it('shows the stack with --verbose', async () => {
    const run = await cli.run(['invoke', 'fixtures/init-fails.mjs', '--verbose']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /TABLE_NAME is not set\n[\s\S]*\n\s+at .*init-fails\.mjs/);
  });
});

describe('the same run also exports where the environment says', () => {
  it('sends the spans to an OTLP endpoint and pushes the exposition it shows to a Pushgateway', async (t) => {
    requireBinaries();
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.close());
    const pushgateway = await startPushgateway();
    t.after(() => pushgateway.stop());
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, LAMBDA_OBSERVE_PUSHGATEWAY_URL: pushgateway.url };
    const event = JSON.stringify({ version: '2.0', routeKey: 'POST /orders', rawPath: '/orders', headers: {}, requestContext: { http: { method: 'POST', path: '/orders' }, requestId: 'r1', routeKey: 'POST /orders', stage: '$default' }, body: '{"items":[{"sku":"A"}]}' });

    const run = await cli.run(['invoke', 'handlers/checkout.mjs', '--event', event, '--times', '2', '--json'], { env });
    assert.equal(run.code, 0, run.stderr);
    const lines = jsonLines(run.stdout);
    const traceIds = lines.filter((l) => l['event.name'] === 'cli.invocation').map((l) => l.trace_id).sort();
    const received = await receiver.waitForSpans(2);
    assert.deepEqual([...new Set(received.map((s) => s.traceId))].sort(), traceIds, 'Jaeger would show the same traces');

    const [group] = (await pushgateway.groups()).filter((g) => g.labels.job === 'checkout');
    assert.ok(group, 'a group for the function');
    const pushed = group.families.checkouts_total?.metrics.map((m) => m.value);
    assert.deepEqual(pushed, ['2']);
    const shown = lines.find((l) => l['event.name'] === 'cli.metrics');
    assert.match(shown?.text ?? '', /^checkouts_total\{tier="standard"\} 2$/m, 'the exposition shown is what was pushed');
    assert.equal(group.labels.instance?.length, 32);

    const pretty = await cli.run(['invoke', 'handlers/checkout.mjs', '--event', event], { env });
    assert.equal(pretty.code, 0, pretty.stderr);
    assert.match(pretty.stdout, new RegExp(`also exporting: spans → OTLP ${receiver.url} · metrics → Pushgateway ${pushgateway.url}`));
    assert.match(pretty.stdout, new RegExp(`↳ pushed after each invocation: PUT ${pushgateway.url}/metrics/job/checkout/instance/[0-9a-f]{32}`));
  });
});
