// The built Lambda layer under AWS's real Runtime Interface Client, run the way Lambda runs it:
// dist/layer.zip (built here, into a temp file) unzipped into a directory standing in for /opt,
// the runtime started through the layer's exec wrapper with NODE_PATH as Lambda sets it, the
// layer's extension discovered in <opt>/extensions and started first, the example handlers from
// handlers/ (which do not import lambda-observe) as the function code. Telemetry goes to a loopback
// OTLP receiver and a real Pushgateway.
//
// Freeze fidelity: after each invocation the emulator freezes the process tree (SIGSTOP) once the
// runtime and the extension wait on `next`, exactly when Lambda would; `onFrozen` then checks that
// everything for that invocation already reached the sinks. In async flush mode that proves the
// extension held the freeze until the export was done.
import assert from 'node:assert/strict';
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { COLD_START_BUDGET_BYTES, type LayerReport } from '../../infra/build-layer.ts';
import { fixtures } from '../fixtures/events/index.ts';
import { LambdaInitFailure, startEnvironment, type EnvironmentOptions, type LambdaEnvironment } from '../support/lambda-emulator.ts';
import { ensureLambdaRuntime, findNode22 } from '../support/lambda-runtime-install.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.ts';
import { requireBinaries, startPushgateway, type Pushgateway, type PushGroup } from '../support/prometheus-stack.ts';
import { functionCode, nodePathHook, recordingProxy, repoRoot, unpackedLayer, type RecordingProxy } from './layer-fixture.ts';

const TEST_TIMEOUT = { timeout: 60_000 };
const MODES = ['sync', 'async'] as const;
const SINK_DELAY_MS = 200;
type Mode = (typeof MODES)[number];

let ric = '';
let node = '';
let work = '';
let opt = '';
let taskRoot = '';
let layer: LayerReport;
let receiver: OtlpReceiver;
let pushgateway: Pushgateway;
const environments: LambdaEnvironment[] = [];
const proxies: RecordingProxy[] = [];

before(
  async () => {
    requireBinaries();
    ric = await ensureLambdaRuntime(); // first run: installs and builds it (about a minute)
    node = findNode22().bin;
    work = await mkdtemp(join(tmpdir(), 'lambda-observe-layer-'));
    ({ opt, report: layer } = await unpackedLayer(work));
    taskRoot = await functionCode(join(work, 'task'));
    receiver = await startOtlpReceiver();
    pushgateway = await startPushgateway();
  },
  { timeout: 10 * 60_000 },
);

after(async () => {
  await Promise.all(environments.map((environment) => environment.dispose()));
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await receiver?.close();
  await pushgateway?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

interface StartOptions extends Partial<EnvironmentOptions> {
  handler: string;
  mode?: Mode;
  pushgatewayUrl?: string;
  /** Put both sinks behind a proxy that forwards each request this much later (a remote backend's latency). */
  sinkDelayMs?: number;
}

async function start(options: StartOptions): Promise<LambdaEnvironment> {
  const { mode = 'sync', sinkDelayMs = 0, env, pushgatewayUrl: directPushgatewayUrl = pushgateway.url, ...rest } = options;
  let pushgatewayUrl = directPushgatewayUrl;
  let otlpUrl = receiver.url;
  if (sinkDelayMs > 0) {
    otlpUrl = (await proxy(otlpUrl, sinkDelayMs)).url;
    pushgatewayUrl = (await proxy(pushgatewayUrl, sinkDelayMs)).url;
  }
  const environment = await startEnvironment({
    // Lambda's own Node.js runtime resolves ESM imports from NODE_PATH; the open-source client does not (see the hook).
    command: [node, '--import', nodePathHook, ric],
    taskRoot,
    optDir: opt,
    execWrapper: join(opt, 'lambda-observe-wrapper'),
    initTimeoutMs: 10_000,
    ...rest,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
      LAMBDA_OBSERVE_PUSHGATEWAY_URL: pushgatewayUrl,
      LAMBDA_OBSERVE_FLUSH_MODE: mode,
      ...env,
    },
  });
  environments.push(environment);
  return environment;
}

type Json = Record<string, any>;

/** Our JSON lines on the runtime's stdout (the RIC's own lines are tab-separated text). */
function jsonLines(environment: LambdaEnvironment): Array<{ record: Json; atMs: number }> {
  return environment.output.entries
    .filter((e) => e.source === 'runtime' && e.stream === 'stdout' && e.line.startsWith('{'))
    .map((e) => ({ record: JSON.parse(e.line) as Json, atMs: e.atMs }));
}

function wideEvent(environment: LambdaEnvironment, requestId: string): { record: Json; atMs: number } | undefined {
  return jsonLines(environment).find(({ record }) => record.event?.name === 'faas.invocation' && record.faas?.invocation_id === requestId);
}

function serverSpan(requestId: string): ReceivedSpan | undefined {
  return receiver.spans().find((span) => span.attributes['faas.invocation_id'] === requestId);
}

async function group(job: string): Promise<PushGroup | undefined> {
  return (await pushgateway.groups()).find((g) => g.labels.job === job);
}

function total(pushed: PushGroup | undefined, family: string): number {
  return (pushed?.families[family]?.metrics ?? []).reduce((sum, sample) => sum + Number(sample.value), 0);
}

/** Everything for `requestId` has reached the sinks: checked while the sandbox is frozen. */
async function assertDelivered(environment: LambdaEnvironment, requestId: string, job: string, invocationsSoFar: number): Promise<void> {
  assert.equal(environment.frozen, true);
  assert.ok(serverSpan(requestId), `the span of ${requestId} reached the OTLP receiver before the freeze`);
  assert.ok(wideEvent(environment, requestId), `the wide event of ${requestId} was on stdout before the freeze`);
  assert.equal(total(await group(job), 'faas_invocations_total'), invocationsSoFar, 'the Pushgateway group was updated before the freeze');
}

for (const mode of MODES) {
  describe(`the layer under the real runtime client, flush mode ${mode}`, () => {
    test('a CommonJS handler is wrapped with no code change: same response, cold start then warm, all telemetry out before each freeze', TEST_TIMEOUT, async () => {
      const job = `orders-queue-${mode}`;
      let invocations = 0;
      const environment = await start({
        handler: 'orders-queue.handler',
        functionName: job,
        mode,
        // A backend 200 ms away: without the hold, async would be frozen mid-export.
        sinkDelayMs: SINK_DELAY_MS,
        onFrozen: (requestId, env) => assertDelivered(env, requestId, job, ++invocations),
      });
      // The layer's extension makes Lambda send SIGTERM; async mode adds the runtime's own hold.
      const registered = environment.extensions.map((e) => [e.name, e.external, [...e.events]]);
      const expected = [['lambda-observe', true, ['SHUTDOWN']]];
      if (mode === 'async') expected.push(['lambda-observe-flush', false, ['INVOKE']]);
      assert.deepEqual(registered, expected);

      const event = fixtures.sqs();
      const raw = createRequire(import.meta.url)(join(repoRoot, 'handlers', 'orders-queue.cjs')) as { handler: (e: unknown) => Promise<unknown> };
      const first = await environment.invoke(event);
      const second = await environment.invoke(event);

      assert.equal(first.status, 'success');
      assert.deepEqual(first.response, await raw.handler(event), 'the handler answers as it does unwrapped');
      assert.equal(second.status, 'success');
      assert.equal(first.frozen && second.frozen, true);
      assert.equal(wideEvent(environment, first.requestId)?.record.faas.coldstart, true);
      assert.equal(wideEvent(environment, second.requestId)?.record.faas.coldstart, false);
      assert.equal(wideEvent(environment, first.requestId)?.record.faas.trigger, 'pubsub');
      assert.equal(serverSpan(first.requestId)?.attributes['faas.coldstart'], true);
      assert.equal(serverSpan(second.requestId)?.attributes['faas.coldstart'], false);
      assert.equal(total(await group(job), 'faas_coldstarts_total'), 1);
      // The response waits for the export in sync mode only; async holds the freeze instead.
      if (mode === 'sync') {
        assert.ok(second.durationMs >= SINK_DELAY_MS, `sync: response after ${second.durationMs} ms`);
      } else {
        assert.ok(second.durationMs < SINK_DELAY_MS, `async: response after ${second.durationMs} ms`);
        assert.ok(second.settledMs! >= SINK_DELAY_MS, `async: environment settled after ${second.settledMs} ms`);
      }
    });

    test('an ES module handler using @opentelemetry/api from the layer: its span joins the trace; a thrown error is recorded and reaches Lambda unchanged', TEST_TIMEOUT, async () => {
      const job = `orders-api-${mode}`;
      let invocations = 0;
      const environment = await start({
        handler: 'orders-api.handler',
        functionName: job,
        mode,
        sinkDelayMs: SINK_DELAY_MS,
        onFrozen: (requestId, env) => assertDelivered(env, requestId, job, ++invocations),
      });

      const ok = await environment.invoke(fixtures.api());
      const boom = await environment.invoke({ ...fixtures.api(), pathParameters: { id: 'boom' } });

      assert.equal(ok.status, 'success');
      assert.equal((ok.response as Json).statusCode, 200);
      const server = serverSpan(ok.requestId)!;
      // The fixture's traceparent puts every API invocation in one trace: pick this one's child by its parent.
      const children = receiver.spans().filter((span) => span.traceId === server.traceId && span.parentSpanId === server.spanId);
      assert.deepEqual(
        children.map((span) => [span.name, span.scope.name, span.attributes['order.id']]),
        [['load order', 'orders-api', '42']],
        'the span the handler made with its own copy of the OTel API was exported, as a child of the invocation span',
      );

      assert.equal(boom.status, 'error');
      assert.equal(boom.error?.errorType, 'Error');
      assert.equal(boom.error?.errorMessage, 'order store unavailable while loading order boom');
      const failed = wideEvent(environment, boom.requestId)!.record;
      assert.equal(failed.outcome, 'error');
      assert.equal(failed.exception.type, 'Error');
      assert.equal(serverSpan(boom.requestId)?.status.code, 2);
      assert.equal(total(await group(job), 'faas_errors_total'), 1);
    });

    test('a timeout: the pre-timeout path flushed span, metrics and wide event before the deadline (nested handler path)', TEST_TIMEOUT, async () => {
      const job = `nightly-report-${mode}`;
      const timeoutMs = 1500;
      const environment = await start({ handler: 'src/jobs/nightly-report.handler', functionName: job, mode, timeoutMs });
      const requestId = `timeout-${mode}-${Date.now()}`;

      const started = Date.now();
      const deadline = started + timeoutMs;
      // Watched while the invocation runs: after the deadline Lambda resets the environment, and
      // the SIGTERM shutdown flushes too, which must not be what makes this test pass.
      const spanSeen = pollUntil(async () => serverSpan(requestId) !== undefined, timeoutMs + 1000);
      const pushSeen = pollUntil(async () => total(await group(job), 'faas_timeouts_total') === 1, timeoutMs + 1000);
      const result = await environment.invoke({ time: '2026-11-22T03:00:00Z', simulateDelayMs: 10_000 }, { requestId });

      assert.equal(result.status, 'timeout');
      assert.equal(result.error?.errorType, 'Sandbox.Timedout');
      const spanAt = await spanSeen;
      const pushAt = await pushSeen;
      const line = wideEvent(environment, requestId);
      assert.ok(line, 'wide event written');
      assert.equal(line.record.outcome, 'timeout');
      assert.ok(line.atMs < deadline, `wide event ${line.atMs - deadline} ms after the deadline`);
      assert.ok(spanAt < deadline, `span arrived ${spanAt - deadline} ms after the deadline`);
      assert.ok(pushAt < deadline, `timeout counter pushed ${pushAt - deadline} ms after the deadline`);
      assert.equal(serverSpan(requestId)?.attributes['error.type'], 'timeout');
    });

    test('shutdown: SIGTERM reaches the runtime, the final push happens, the group is deleted, every process exits by itself', TEST_TIMEOUT, async () => {
      const job = `shutdown-${mode}`;
      const recorder = await proxy(pushgateway.url);
      const environment = await start({ handler: 'orders-queue.handler', functionName: job, mode, pushgatewayUrl: recorder.url });
      await environment.invoke(fixtures.sqs());
      await environment.invoke(fixtures.sqs());
      assert.equal(total(await group(job), 'faas_invocations_total'), 2);
      const beforeShutdown = recorder.requests.length;

      const result = await environment.shutdown();

      assert.equal(result.exitedCleanly, true, JSON.stringify(result.signalsSent));
      assert.deepEqual(result.signalsSent.map((s) => [s.target, s.signal]), [['runtime', 'SIGTERM']]);
      assert.equal(result.exits.find((e) => e.source === 'runtime')?.signal, 'SIGTERM', 'the runtime re-raised SIGTERM after its shutdown');
      assert.equal(result.exits.find((e) => e.source === 'extension:lambda-observe')?.code, 0);
      const during = recorder.requests.slice(beforeShutdown);
      assert.deepEqual(during.map((r) => r.method), ['PUT', 'DELETE'], 'final push, then the group deletion');
      assert.match(during[0]!.body, /faas_invocations_total\{[^}]*\} 2\n/);
      assert.equal(during[1]!.path, during[0]!.path, 'the very group that was pushed is deleted');
      assert.equal(await group(job), undefined, 'the Pushgateway no longer has the group');
    });
  });
}

describe('zero-code wrapping resolves handlers like the runtime does', () => {
  test('a function importing lambda-observe from the layer shares the wrapper\'s invocation (ESM default export, CJS nested export)', TEST_TIMEOUT, async () => {
    for (const handler of ['annotated.handler', 'annotated-cjs.nested.handler']) {
      const environment = await start({ handler, functionName: `annotated-${handler.length}` });
      const result = await environment.invoke({ orderId: 'o-42' });

      assert.equal(result.status, 'success', JSON.stringify(result.error));
      const wide = wideEvent(environment, result.requestId)!.record;
      assert.equal(wide['order.id'], 'o-42', `${handler}: annotate() reached the wrapper's wide event`);
      const ids = (result.response as Json).ids;
      assert.equal(ids.traceId, wide.trace_id, 'currentInvocation() sees the wrapper\'s invocation');
      const log = jsonLines(environment).find(({ record }) => record.logger === 'orders')?.record;
      assert.equal(log?.message, 'order loaded');
      assert.equal(log?.trace_id, wide.trace_id);
      assert.equal(log?.faas?.invocation_id ?? log?.['faas.invocation_id'], result.requestId);
      await environment.shutdown();
    }
  });

  test('a handler that cannot be found fails the init with the runtime\'s own error type, never runs unwrapped', TEST_TIMEOUT, async () => {
    const cases = [
      { handler: 'missing.handler', errorType: 'Runtime.ImportModuleError', message: /Cannot find module 'missing'/ },
      { handler: 'orders-api.nope', errorType: 'Runtime.HandlerNotFound', message: /orders-api\.nope is undefined or not exported/ },
      { handler: 'nodot', errorType: 'Runtime.MalformedHandlerName', message: /Bad handler/ },
      { handler: 'src/../orders-api.handler', errorType: 'Runtime.MalformedHandlerName', message: /not a valid handler name/ },
    ];
    for (const expected of cases) {
      await assert.rejects(start({ handler: expected.handler }), (error: unknown) => {
        assert.ok(error instanceof LambdaInitFailure, String(error));
        assert.equal(error.kind, 'init-error', error.message);
        assert.equal(error.errorType, expected.errorType);
        assert.match(String((error.body as { errorMessage?: string }).errorMessage), expected.message);
        // The runtime reported it and the environment was reset: nothing was invoked.
        assert.ok(error.output.some((line) => line.source === 'runtime' && line.line.includes('Init Error')));
        assert.equal(error.reset.reason, 'failure');
        return true;
      });
    }
  });
});

describe('the extension in node, for where bash cannot open TCP connections', () => {
  test('registers for SHUTDOWN, so the runtime gets SIGTERM, and exits when told', TEST_TIMEOUT, async () => {
    const nodeOpt = join(work, 'opt-node-extension');
    await mkdir(join(nodeOpt, 'extensions'), { recursive: true });
    await cp(join(opt, 'nodejs'), join(nodeOpt, 'nodejs'), { recursive: true });
    await cp(join(opt, 'lambda-observe-wrapper'), join(nodeOpt, 'lambda-observe-wrapper'));
    // What extension.sh execs when /dev/tcp is unavailable.
    const launcher = join(nodeOpt, 'extensions', 'lambda-observe');
    await writeFile(launcher, `#!/bin/sh\nexec "${node}" "${nodeOpt}/nodejs/node_modules/lambda-observe/dist/layer/extension.cjs" lambda-observe\n`);
    await chmod(launcher, 0o755);
    const job = 'node-extension';
    const environment = await start({ handler: 'orders-queue.handler', functionName: job, optDir: nodeOpt, execWrapper: join(nodeOpt, 'lambda-observe-wrapper') });
    assert.deepEqual(environment.extensions.map((e) => [e.name, [...e.events]]), [['lambda-observe', ['SHUTDOWN']]]);
    await environment.invoke(fixtures.sqs());
    assert.equal(total(await group(job), 'faas_invocations_total'), 1);

    const result = await environment.shutdown();

    assert.equal(result.exitedCleanly, true);
    assert.equal(result.exits.find((e) => e.source === 'extension:lambda-observe')?.code, 0);
    assert.equal(await group(job), undefined, 'the SIGTERM shutdown deleted the group');
  });
});

describe('the layer artifact', () => {
  test('cold start loads one bundle within budget; the exporters are separate chunks', () => {
    assert.ok(layer.coldStartBytes.handler > 10_000);
    // The budget is reported by `npm run build:layer`; here it guards against pulling lazy
    // exporters into the static graph (which would add ~45 KB and more at once).
    assert.ok(layer.lazyBytes > 20_000, `lazy chunks ${layer.lazyBytes} B`);
    assert.ok(layer.coldStartBytes.handler < COLD_START_BUDGET_BYTES * 1.25, `cold start ${layer.coldStartBytes.handler} B`);
  });
});

/** Polls `check` every 20 ms; resolves with the time it first held. */
async function pollUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

async function proxy(target: string, delayMs = 0): Promise<RecordingProxy> {
  const started = await recordingProxy(target, delayMs);
  proxies.push(started);
  return started;
}
