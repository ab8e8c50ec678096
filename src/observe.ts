/** The plain wrapper: `export const handler = observe(async (event, context) => …)`. */
import type { Callback, Context, Handler } from 'aws-lambda';
import type { ObserveOptions } from './config.ts';
import { prepareConfig, runInvocation } from './invocation.ts';

/** The wrapped handler: same event and result types, always promise-based (the runtime accepts both). */
export type ObservedHandler<TEvent, TResult> = ((
  event: TEvent,
  context: Context,
  callback?: Callback<TResult>,
) => Promise<TResult>) & { readonly [OBSERVED]: true };

/** Marks a wrapped handler so that the layer and the CLI never wrap it twice. */
export const OBSERVED: unique symbol = Symbol.for('lambda-observe.observed') as never;

/** True if `handler` was already wrapped by `observe()`. */
export function isObserved(handler: unknown): boolean {
  return typeof handler === 'function' && (handler as unknown as Record<symbol, unknown>)[OBSERVED] === true;
}

/**
 * Wrap a Lambda handler (async or callback style) so that every invocation gets a span, correlated
 * logs, metrics and one wide event, flushed before the result is returned.
 *
 * @throws TypeError at wrap time if `handler` is not a function or `options` are invalid.
 * @example
 * import { observe, getLogger, annotate } from 'lambda-observe';
 * const log = getLogger('orders');
 *
 * export const handler = observe(async (event: APIGatewayProxyEvent) => {
 *   annotate({ 'order.id': event.pathParameters?.id });
 *   log.info('loading order');
 *   return { statusCode: 200, body: '{}' };
 * });
 */
export function observe<TEvent = unknown, TResult = unknown>(
  handler: Handler<TEvent, TResult>,
  options?: ObserveOptions,
): ObservedHandler<TEvent, TResult> {
  if (typeof handler !== 'function') {
    throw new TypeError(`lambda-observe: observe() needs a handler function, got ${handler === null ? 'null' : typeof handler}`);
  }
  if (isObserved(handler)) return handler as unknown as ObservedHandler<TEvent, TResult>;
  const config = prepareConfig(options);
  const observed = (event: TEvent, context: Context) =>
    runInvocation(config, event, context, () => callHandler(handler, event, context));
  Object.defineProperty(observed, OBSERVED, { value: true });
  Object.defineProperty(observed, 'name', { value: handler.name || 'handler' });
  return observed as ObservedHandler<TEvent, TResult>;
}

/**
 * Call a handler the way the Node.js runtime does: a returned promise or the callback, whichever
 * settles first (a handler may do both; the first answer is the one Lambda would use). A handler
 * declared with three parameters that returns no promise answers through its callback.
 */
export function callHandler<TEvent, TResult>(
  handler: Handler<TEvent, TResult>,
  event: TEvent,
  context: Context,
): Promise<TResult> {
  return new Promise<TResult>((resolve, reject) => {
    const callback: Callback<TResult> = (error, result) => {
      if (error !== undefined && error !== null) reject(error);
      else resolve(result as TResult);
    };
    const returned = handler(event, context, callback) as unknown;
    if (isThenable(returned)) {
      (returned as PromiseLike<TResult>).then(resolve, reject);
    } else if (handler.length < 3) {
      resolve(returned as TResult);
    }
  });
}

function isThenable(value: unknown): boolean {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}
