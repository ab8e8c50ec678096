// Proves the Lambda emulator against AWS's real Runtime Interface Client (aws-lambda-ric 4.0.2)
// with plain handlers that do not use lambda-observe, so that later e2e tests can trust what it
// says about our library under the real runtime: responses, errors, timeouts, init failures,
// crashes, the freeze between invocations and the shutdown signals.
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  LambdaInitFailure,
  processState,
  startEnvironment,
  type EnvironmentOptions,
  type LambdaEnvironment,
} from '../support/lambda-emulator.ts';
import { ensureLambdaRuntime, findNode22 } from '../support/lambda-runtime-install.ts';

const functionsDir = fileURLToPath(new URL('./functions/', import.meta.url));
const testExtensionSource = fileURLToPath(new URL('./extensions/test-extension.cjs', import.meta.url));
const TEST_TIMEOUT = { timeout: 30_000 };

let ric = '';
let node = '';
const environments: LambdaEnvironment[] = [];
const tempDirs: string[] = [];

before(
  async () => {
    ric = await ensureLambdaRuntime(); // first run: installs and builds it (about a minute)
    node = findNode22().bin;
  },
  { timeout: 10 * 60_000 },
);

after(async () => {
  // Whatever a failing test left running dies here; the test process must exit by itself.
  await Promise.all(environments.map((environment) => environment.dispose()));
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function start(options: Partial<EnvironmentOptions> & { handler: string }): Promise<LambdaEnvironment> {
  const environment = await startEnvironment({ command: [node, ric], taskRoot: functionsDir, initTimeoutMs: 10_000, ...options });
  environments.push(environment);
  return environment;
}

/** A fresh /opt with the test extension as its only external extension. */
async function optWithTestExtension(): Promise<string> {
  const opt = await mkdtemp(join(tmpdir(), 'lambda-emulator-opt-'));
  tempDirs.push(opt);
  await mkdir(join(opt, 'extensions'));
  const target = join(opt, 'extensions', 'test-extension');
  await copyFile(testExtensionSource, target);
  await chmod(target, 0o755);
  return opt;
}

/** An exec wrapper like a layer's: marks the environment, starts a helper process, execs the runtime. */
async function optWithWrapper(): Promise<{ opt: string; wrapper: string }> {
  const opt = await mkdtemp(join(tmpdir(), 'lambda-emulator-opt-'));
  tempDirs.push(opt);
  const wrapper = join(opt, 'test-wrapper');
  await writeFile(
    wrapper,
    ['#!/bin/bash', 'export TEST_WRAPPED="via $AWS_LAMBDA_EXEC_WRAPPER"', 'sleep 60 &', 'exec "$@"', ''].join('\n'),
  );
  await chmod(wrapper, 0o755);
  return { opt, wrapper };
}

const hasLine = (environment: LambdaEnvironment, text: string) => environment.output.lines().some((line) => line.includes(text));

describe('Lambda emulator with the real aws-lambda-ric', () => {
  test('a response round-trips, with the context the runtime builds from our headers', TEST_TIMEOUT, async () => {
    const environment = await start({ handler: 'echo.handler' });
    const traceId = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

    const first = await environment.invoke({ hello: 'world' }, { clientContext: { custom: { tenant: 't1' } }, traceId });

    assert.equal(first.status, 'success');
    const response = first.response as Record<string, unknown>;
    assert.equal(response.ok, true);
    assert.deepEqual(response.event, { hello: 'world' });
    assert.equal(response.requestId, first.requestId);
    assert.deepEqual(response.clientContext, { custom: { tenant: 't1' } });
    assert.equal(response.traceEnv, traceId, 'the RIC moves Lambda-Runtime-Trace-Id into _X_AMZN_TRACE_ID');
    assert.equal(response.functionName, 'lambda-observe-e2e');
    assert.equal(response.memoryLimitInMB, '128');
    assert.match(String(response.invokedFunctionArn), /^arn:aws:lambda:us-east-1:123456789012:function:lambda-observe-e2e$/);
    assert.match(String(response.node), /^v22\./);
    assert.ok(Number(response.remainingMs) > 0 && Number(response.remainingMs) <= 3000);

    // Warm: same process, module state kept.
    const second = await environment.invoke({ n: 2 });
    assert.equal(second.status, 'success');
    assert.equal((second.response as Record<string, unknown>).invocations, 2);
    assert.equal((second.response as Record<string, unknown>).pid, (first.response as Record<string, unknown>).pid);
  });

  test('an exec wrapper runs in front of node; what it starts is frozen and killed with the sandbox', TEST_TIMEOUT, async () => {
    const { opt, wrapper } = await optWithWrapper();
    const environment = await start({ handler: 'echo.handler', optDir: opt, execWrapper: wrapper });

    const result = await environment.invoke({});

    assert.equal(result.status, 'success');
    const response = result.response as Record<string, unknown>;
    assert.equal(response.wrapped, `via ${wrapper}`);
    assert.equal(response.pid, environment.runtimePid, 'the wrapper execs node: same pid');
    assert.equal(response.nodePath, `${opt}/nodejs/node22/node_modules:${opt}/nodejs/node_modules:${functionsDir}`);
    const pids = environment.processIds();
    assert.equal(pids.length, 2, 'runtime and the sleep the wrapper started');
    assert.deepEqual(pids.map((pid) => processState(pid)), ['T', 'T']);

    const shutdown = await environment.shutdown();
    assert.deepEqual(shutdown.signalsSent.map((s) => [s.target, s.signal]), [['runtime', 'SIGKILL']], 'the group kill takes the sleep too');
    assert.deepEqual(environment.processIds(), []);
  });

  test('a handler error is reported with errorType and errorMessage; the environment stays usable', TEST_TIMEOUT, async () => {
    const environment = await start({ handler: 'boom.handler' });

    const result = await environment.invoke({ reason: 'test' });

    assert.equal(result.status, 'error');
    assert.equal(result.error?.errorType, 'BoomError');
    assert.equal(result.error?.errorMessage, 'kaboom: test');
    assert.ok(Array.isArray((result.error?.body as { trace?: unknown }).trace));
    // What the RIC's native client (aws-lambda-cpp) sends with the error: an X-Ray cause, but
    // no Lambda-Runtime-Function-Error-Type header; the type is only in the body.
    assert.ok(result.error?.headers['lambda-runtime-function-xray-error-cause']);
    assert.equal(result.error?.headers['lambda-runtime-function-error-type'], undefined);
    assert.ok(hasLine(environment, 'Invoke Error'), 'the RIC logs the error to stdout');

    const again = await environment.invoke({ reason: 'again' });
    assert.equal(again.status, 'error', 'an error does not reset the environment');
    assert.equal(again.error?.errorMessage, 'kaboom: again');
  });

  test('a timeout is reported at the deadline and the environment is reset', TEST_TIMEOUT, async () => {
    const environment = await start({ handler: 'slow.handler' });
    const runtimePid = environment.runtimePid!;

    const result = await environment.invoke({ sleepMs: 5000 }, { timeoutMs: 300 });

    assert.equal(result.status, 'timeout');
    assert.equal(result.error?.errorType, 'Sandbox.Timedout');
    assert.ok(result.durationMs >= 300 && result.durationMs < 1500, `durationMs ${result.durationMs}`);
    // No extension registered: Lambda kills the runtime outright.
    assert.deepEqual(result.reset?.signalsSent.map((s) => [s.target, s.signal]), [['runtime', 'SIGKILL']]);
    assert.equal(result.reset?.exits.find((e) => e.source === 'runtime')?.signal, 'SIGKILL');
    assert.equal(processState(runtimePid), undefined);
    assert.equal(environment.state, 'dead');
    await assert.rejects(environment.invoke({}), /Cannot invoke: the environment is dead/);
  });

  test('a timeout with an extension: SIGTERM to the runtime, then SHUTDOWN(timeout) to the extension', TEST_TIMEOUT, async () => {
    const environment = await start({ handler: 'slow.handler', optDir: await optWithTestExtension() });

    const result = await environment.invoke({ sleepMs: 5000 }, { timeoutMs: 300 });

    assert.equal(result.status, 'timeout');
    assert.ok(hasLine(environment, '[test-extension] SHUTDOWN timeout'));
    assert.equal(result.reset?.signalsSent[0]?.signal, 'SIGTERM');
    assert.equal(result.reset?.exits.find((e) => e.source === 'runtime')?.signal, 'SIGTERM', 'the RIC has no SIGTERM handler: Node dies of it');
    assert.equal(result.reset?.exits.find((e) => e.source === 'extension:test-extension')?.code, 0);
    assert.deepEqual(environment.processIds(), []);
  });

  test('an unknown handler fails init: the RIC posts init/error, then exits with code 1', TEST_TIMEOUT, async () => {
    const cases = [
      { handler: 'missing.handler', errorType: 'Runtime.ImportModuleError', message: /Cannot find module 'missing'/ },
      { handler: 'echo.nope', errorType: 'Runtime.HandlerNotFound', message: /echo\.nope is undefined or not exported/ },
      { handler: 'nodot', errorType: 'Runtime.MalformedHandlerName', message: /Bad handler/ },
    ];
    for (const expected of cases) {
      await assert.rejects(start({ handler: expected.handler }), (error: unknown) => {
        assert.ok(error instanceof LambdaInitFailure, String(error));
        assert.equal(error.kind, 'init-error');
        assert.equal(error.errorType, expected.errorType);
        assert.match(String((error.body as { errorMessage?: string }).errorMessage), expected.message);
        // The RIC rethrows after posting, an unhandled rejection: it exits by itself.
        assert.equal(error.exit?.code, 1);
        assert.ok(error.output.some((line) => line.source === 'runtime' && line.line.includes('Init Error')));
        return true;
      });
    }
  });

  test('an init failure resets the environment: the extension gets SHUTDOWN(failure)', TEST_TIMEOUT, async () => {
    await assert.rejects(start({ handler: 'missing.handler', optDir: await optWithTestExtension() }), (error: unknown) => {
      assert.ok(error instanceof LambdaInitFailure);
      assert.ok(error.output.some((line) => line.line.includes('[test-extension] SHUTDOWN failure')), 'extension saw the reset');
      assert.equal(error.reset.reason, 'failure');
      assert.equal(error.reset.exitedCleanly, true);
      return true;
    });
  });

  test('a runtime crash mid-invocation is reported as a crash, not hung on', TEST_TIMEOUT, async () => {
    const environment = await start({ handler: 'crash.handler' });

    const result = await environment.invoke({});

    assert.equal(result.status, 'crash');
    assert.equal(result.error?.errorType, 'Runtime.ExitError');
    assert.match(String(result.error?.errorMessage), /Runtime exited with error: exit status 1/);
    // RIC 4 installs no uncaughtException handler: Node prints the error and exits 1.
    assert.equal(result.exit?.code, 1);
    assert.ok(environment.stderrLines('runtime').some((line) => line.includes('uncaught after the handler started')));
    assert.equal((await environment.exited).source, 'runtime');
  });

  test('an extension dying after the response is a crash; the caller keeps the response', TEST_TIMEOUT, async () => {
    const environment = await start({
      handler: 'echo.handler',
      optDir: await optWithTestExtension(),
      env: { TEST_EXTENSION_POST_INVOKE_MS: '50', TEST_EXTENSION_EXIT_AFTER_INVOKE: '7' },
    });

    const result = await environment.invoke({ x: 1 });

    assert.equal(result.status, 'crash');
    assert.equal(result.error?.errorType, 'Extension.Crash');
    assert.equal(result.exit?.source, 'extension:test-extension');
    assert.equal(result.exit?.code, 7);
    assert.deepEqual((result.response as { event?: unknown }).event, { x: 1 });
    assert.equal(result.reset?.reason, 'failure');
    assert.deepEqual(environment.processIds(), []);
  });

  test('the extension registers, gets INVOKE with request id and trace, and runs without the runtime-only env', TEST_TIMEOUT, async () => {
    const environment = await start({ handler: 'echo.handler', optDir: await optWithTestExtension() });

    const result = await environment.invoke({}, { traceId: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1' });

    assert.equal(result.status, 'success');
    const [registration] = environment.extensions;
    assert.equal(registration?.name, 'test-extension');
    assert.equal(registration?.external, true);
    assert.deepEqual([...(registration?.events ?? [])], ['INVOKE', 'SHUTDOWN']);
    await environment.waitForLine((line) => line.includes('"handler":"echo.handler"') && line.includes('env-handler=-'), { timeoutMs: 1000 });
    await environment.waitForLine((line) => line.includes(`INVOKE ${result.requestId} trace=Root=1-5759e988`), { timeoutMs: 1000 });
  });

  test('the whole process tree is stopped while frozen, after the extension finished, and thawed for the next event', TEST_TIMEOUT, async () => {
    const postInvokeMs = 150;
    let statesWhileFrozen: (string | undefined)[] = [];
    let extensionDoneBeforeFreeze = false;
    const environment = await start({
      handler: 'echo.handler',
      optDir: await optWithTestExtension(),
      env: { TEST_EXTENSION_POST_INVOKE_MS: String(postInvokeMs) },
      onFrozen: (requestId, env) => {
        statesWhileFrozen = env.processIds().map((pid) => processState(pid));
        extensionDoneBeforeFreeze = hasLine(env, `post-invoke work done ${requestId}`);
      },
    });

    // Due after the extension's post-invoke work, i.e. after the freeze.
    const first = await environment.invoke({ lateTimerMs: postInvokeMs + 100 });

    assert.equal(first.status, 'success');
    assert.equal(first.frozen, true);
    assert.equal(statesWhileFrozen.length, 2, 'runtime and extension');
    assert.deepEqual(statesWhileFrozen, ['T', 'T']);
    assert.ok(extensionDoneBeforeFreeze, 'Lambda freezes only once the extension is back in event/next');
    assert.ok(first.settledMs! >= postInvokeMs && first.durationMs < postInvokeMs, `durationMs ${first.durationMs}, settledMs ${first.settledMs}`);

    // The handler's timer cannot fire while frozen …
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(hasLine(environment, `late timer fired for ${first.requestId}`), false);
    assert.deepEqual(environment.processIds().map((pid) => processState(pid)), ['T', 'T']);

    // … and fires once the next invocation thaws the sandbox.
    const second = await environment.invoke({});
    assert.equal(second.status, 'success');
    await environment.waitForLine((line) => line.includes(`late timer fired for ${first.requestId}`), { timeoutMs: 2000 });
  });

  test('shutdown with an extension: SIGTERM reaches the runtime, SHUTDOWN the extension, all exit cleanly', TEST_TIMEOUT, async () => {
    const environment = await start({ handler: 'graceful.handler', optDir: await optWithTestExtension(), env: { GRACEFUL_EXIT: 'reraise' } });
    await environment.invoke({});

    const result = await environment.shutdown();

    assert.equal(result.exitedCleanly, true);
    assert.deepEqual(result.signalsSent.map((s) => [s.target, s.signal]), [['runtime', 'SIGTERM']]);
    assert.ok(hasLine(environment, 'graceful: SIGTERM received'));
    assert.ok(hasLine(environment, '[test-extension] SHUTDOWN spindown'));
    assert.equal(result.exits.find((e) => e.source === 'extension:test-extension')?.code, 0);
    assert.deepEqual(environment.processIds(), []);
  });

  test('shutdown: without a SIGTERM handler the RIC dies of SIGTERM at once', TEST_TIMEOUT, async () => {
    const environment = await start({ handler: 'echo.handler', optDir: await optWithTestExtension() });
    await environment.invoke({});

    const result = await environment.shutdown();

    assert.equal(result.exitedCleanly, true);
    assert.equal(result.exits.find((e) => e.source === 'runtime')?.signal, 'SIGTERM');
    assert.ok(result.durationMs < 500, `durationMs ${result.durationMs}`);
  });

  test('shutdown: process.exit() in a SIGTERM handler hangs while the RIC polls next, so the runtime is SIGKILLed', TEST_TIMEOUT, async () => {
    // Node joins its libuv worker threads on exit, and one of them is blocked in the native
    // client's long-poll of `next`, which Lambda does not answer during shutdown. The runtime
    // gets 30% of the shutdown budget (600 ms of 2 s) before SIGKILL.
    const environment = await start({ handler: 'graceful.handler', optDir: await optWithTestExtension(), env: { GRACEFUL_EXIT: 'exit' } });
    await environment.invoke({});

    const result = await environment.shutdown({ deadlineMs: 2000 });

    assert.ok(hasLine(environment, 'graceful: SIGTERM received'));
    assert.deepEqual(result.signalsSent.map((s) => [s.target, s.signal]), [['runtime', 'SIGTERM'], ['runtime', 'SIGKILL']]);
    const [term, kill] = result.signalsSent;
    assert.ok(kill!.atMs - term!.atMs >= 550 && kill!.atMs - term!.atMs < 1000, `SIGKILL after ${kill!.atMs - term!.atMs} ms`);
    assert.ok(hasLine(environment, '[test-extension] SHUTDOWN spindown'), 'the extension is still told to shut down');
  });

  test('shutdown without extensions: Lambda SIGKILLs the runtime, no SIGTERM', TEST_TIMEOUT, async () => {
    const environment = await start({ handler: 'graceful.handler' });
    await environment.invoke({});

    const result = await environment.shutdown();

    assert.deepEqual(result.signalsSent.map((s) => [s.target, s.signal]), [['runtime', 'SIGKILL']]);
    assert.equal(hasLine(environment, 'graceful: SIGTERM received'), false);
    assert.equal(result.exits[0]?.signal, 'SIGKILL');
    assert.deepEqual(await environment.shutdown(), result, 'shutdown is idempotent');
  });
});
