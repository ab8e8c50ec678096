// Zero-code wrapping in-process: the handler named by LAMBDA_OBSERVE_HANDLER is loaded and
// wrapped with observe(), so an invocation writes the wide event; what must not be wrapped is not.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseEnv } from '../../../src/config.ts';
import { isObserved } from '../../../src/observe.ts';
import { loadObservedHandler } from '../../../src/layer/zero-code.ts';
import { captureOutput, type Capture } from '../../support/capture.ts';
import { lambdaContext } from '../../support/lambda-context.ts';

let root = '';
let output: Capture;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'lambda-observe-zero-code-'));
  await writeFile(join(root, 'plain.mjs'), "export const handler = async (event) => ({ echoed: event.value });");
  await writeFile(
    join(root, 'streaming.mjs'),
    "const fn = async (event, stream) => stream.end('x'); fn[Symbol.for('aws.lambda.runtime.handler.streaming')] = 'response'; export const handler = fn;",
  );
  const observeUrl = new URL('../../../src/observe.ts', import.meta.url).href;
  await writeFile(join(root, 'observed.mjs'), `import { observe } from ${JSON.stringify(observeUrl)}; export const handler = observe(async () => 'already');`);
  output = captureOutput();
});

after(async () => {
  output.stop();
  await rm(root, { recursive: true, force: true });
});

function envFor(handler: string | undefined) {
  return parseEnv({ LAMBDA_TASK_ROOT: root, AWS_LAMBDA_FUNCTION_NAME: 'zero-code', ...(handler === undefined ? {} : { LAMBDA_OBSERVE_HANDLER: handler }) });
}

describe('zero-code wrapping', () => {
  test('the saved handler is loaded and wrapped: same result, one wide event per invocation', async () => {
    const handler = await loadObservedHandler(envFor('plain.handler'));
    assert.equal(isObserved(handler), true);
    const context = lambdaContext({ functionName: 'zero-code' });

    const result = await handler({ value: 7 }, context);

    assert.deepEqual(result, { echoed: 7 });
    const [event] = output.events().filter((e) => e.faas.invocation_id === context.awsRequestId);
    assert.equal(event?.outcome, 'success');
  });

  test('a handler already wrapped with observe() is used as it is, not wrapped twice', async () => {
    const handler = await loadObservedHandler(envFor('observed.handler'));
    const context = lambdaContext({ functionName: 'zero-code' });
    assert.equal(await handler({}, context), 'already');
    assert.equal(output.events().filter((e) => e.faas.invocation_id === context.awsRequestId).length, 1);
  });

  test('a response-streaming handler keeps its streaming marker (the runtime reads it) and is left unwrapped, with a warning', async () => {
    const handler = await loadObservedHandler(envFor('streaming.handler'));
    assert.equal((handler as unknown as Record<symbol, unknown>)[Symbol.for('aws.lambda.runtime.handler.streaming')], 'response');
    assert.equal(isObserved(handler), false);
    assert.ok(output.logs().some((l) => l.level === 'warn' && /response-streaming/.test(l.message)));
  });

  test('no saved handler: the init fails with Runtime.MalformedHandlerName, it never runs unwrapped', async () => {
    await assert.rejects(loadObservedHandler(envFor(undefined)), (error: Error) => {
      assert.equal(error.name, 'Runtime.MalformedHandlerName');
      assert.match(error.message, /LAMBDA_OBSERVE_HANDLER is not set/);
      return true;
    });
    await assert.rejects(loadObservedHandler(envFor('plain.missing')), { name: 'Runtime.HandlerNotFound' });
  });
});
