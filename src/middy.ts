/**
 * The middy middleware (`lambda-observe/middy`), for @middy/core ≥ 6. Thin: it opens the
 * invocation in `before` and closes it in `after`/`onError`; the lifecycle does the rest.
 *
 * Register it first, so that its `before` runs before every other middleware and its `after`
 * runs after them all (the wide event then sees the final response).
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { ObserveOptions } from './config.ts';
import { currentState, enterInvocation } from './context.ts';
import { openInvocation, prepareConfig, type ActiveInvocation } from './invocation.ts';

/**
 * @throws TypeError at creation time if `options` are invalid.
 * @example
 * import middy from '@middy/core';
 * import { observeMiddleware } from 'lambda-observe/middy';
 *
 * export const handler = middy()
 *   .use(observeMiddleware())
 *   .use(jsonBodyParser())
 *   .handler(async (event) => ({ statusCode: 200, body: 'ok' }));
 */
export function observeMiddleware(options?: ObserveOptions): MiddlewareObj {
  const config = prepareConfig(options);
  const active = new WeakMap<Request, ActiveInvocation>();
  return {
    // Deliberately synchronous: entering the context before middy's first `await` is what makes
    // it reach the handler and the other middlewares. A peer sets it after an await, in a
    // continuation the handler never runs in.
    before(request) {
      if (isInsideObservedInvocation()) return;
      const invocation = openInvocation(config, request.event, request.context);
      if (!invocation) return;
      active.set(request, invocation);
      openedByMiddy.add(invocation.state);
      enterInvocation(invocation.state, invocation.otelContext);
    },
    async after(request) {
      const invocation = active.get(request);
      if (!invocation) return;
      request.response = invocation.decorateResponse(request.response);
      await invocation.finish({ result: request.response });
    },
    async onError(request) {
      // Returning nothing lets middy rethrow the very same error after we recorded it.
      await active.get(request)?.finish({ error: request.error });
    },
  };
}

/**
 * Invocations this middleware opened. `enterWith` also sets the context of middy's caller (the
 * runtime's loop, or a test firing many invocations at once), so a state seen in `before` may be a
 * neighbour's leftover; only a state opened by `observe()` means we are nested inside it.
 */
const openedByMiddy = new WeakSet<object>();

/** `observe(middy(...).use(observeMiddleware()))` must not make two invocations of one. */
function isInsideObservedInvocation(): boolean {
  const state = currentState();
  return state !== undefined && !state.closed && !openedByMiddy.has(state);
}
