/**
 * Zero-code wrapping: load the function's own handler (named by LAMBDA_OBSERVE_HANDLER, where the
 * exec wrapper saved `_HANDLER`) and wrap it with `observe()`. The layer's handler module calls
 * this during init, so a handler that cannot be loaded fails the init with Lambda's own error,
 * never runs unwrapped by accident.
 */
import { readEnv, resolveConfig, type EnvSnapshot } from '../config.ts';
import { initTelemetry, preloadExporters } from '../invocation.ts';
import { warnOnce } from '../logs/warn-once.ts';
import { isObserved, observe } from '../observe.ts';
import { waitForFlushHold } from './flush-hold.ts';
import { loadUserHandler, type UserHandler } from './resolve-handler.ts';
import { MalformedHandlerNameError } from './runtime-errors.ts';

/** The property the runtime reads to tell a response-streaming handler (`awslambda.streamifyResponse`). */
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
/** How long init waits for the async-flush hold's registration (one loopback request to the Extensions API). */
const HOLD_WAIT_MS = 250;

/**
 * Load and wrap the function's handler.
 * @throws Lambda's init errors (`Runtime.ImportModuleError`, `Runtime.HandlerNotFound`,
 *   `Runtime.MalformedHandlerName`, `Runtime.UserCodeSyntaxError`) or what the module itself throws.
 */
export async function loadObservedHandler(snapshot: EnvSnapshot = readEnv()): Promise<UserHandler> {
  const env = snapshot.env;
  const handlerString = env.LAMBDA_OBSERVE_HANDLER?.trim();
  if (!handlerString) {
    throw new MalformedHandlerNameError(
      'LAMBDA_OBSERVE_HANDLER is not set: the function handler points at the lambda-observe layer but names no handler of its own ' +
        '(set AWS_LAMBDA_EXEC_WRAPPER=/opt/lambda-observe-wrapper and keep your handler setting, or set LAMBDA_OBSERVE_HANDLER to it)',
    );
  }
  // Providers first: the function's module may take a tracer while it loads, from its own copy of
  // @opentelemetry/api, and such a tracer reaches only a provider registered before.
  initTelemetry();
  // The function's own observe() below would start loading the exporters and opening their
  // connections only once the function's module has loaded; started now, both overlap with that
  // load (often the longest part of init), and the first invocation finds the connections open.
  const config = resolveConfig(undefined, snapshot);
  preloadExporters(config);
  const handler = await loadUserHandler(handlerString, env.LAMBDA_TASK_ROOT || process.cwd());
  if ((handler as unknown as Record<symbol, unknown>)[STREAMING]) {
    // observe() calls (event, context); a streaming handler takes (event, responseStream, context).
    warnOnce('layer:streaming', `${handlerString} is a response-streaming handler, which lambda-observe does not wrap yet; it runs without telemetry`);
    return handler;
  }
  // Already wrapped by a copy of lambda-observe bundled into the function: used as it is.
  const observed = isObserved(handler) ? handler : (observe(handler as Parameters<typeof observe>[0]) as unknown as UserHandler);
  if (config.flushMode === 'async') {
    // Lambda accepts the hold's registration only during init, which ends when this module has
    // loaded: wait for it here, so that the first invocation already answers before it exports.
    await waitForFlushHold(env.AWS_LAMBDA_RUNTIME_API, HOLD_WAIT_MS);
  }
  return observed;
}
