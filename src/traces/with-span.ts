/**
 * The common case of a child span in one call: start it, make it active for `fn`, record an
 * exception and an ERROR status if `fn` throws or rejects, end it either way. Plain
 * `trace.getTracer()` from `@opentelemetry/api` remains available for everything else.
 */
import { SpanStatusCode, trace, type Span, type SpanOptions } from '@opentelemetry/api';
import { TRACER_NAME } from './tracing.ts';

/**
 * Run `fn` inside a new span named `name`, a child of the active one (the invocation's span, or
 * another `withSpan`), and return what `fn` returns — the same value, or a promise of it for an
 * async `fn`. The span ends when `fn` returns or its promise settles; an error is recorded on the
 * span (exception event, `error.type`, ERROR status) and rethrown unchanged.
 *
 * @example
 * import { withSpan } from 'lambda-observe';
 *
 * const order = await withSpan('load order', async (span) => {
 *   span.setAttribute('order.id', id);
 *   return db.get(id);
 * });
 */
export function withSpan<T>(name: string, fn: (span: Span) => T, options: SpanOptions = {}): T {
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, options, (span: Span): T => {
    let result: T;
    try {
      result = fn(span);
    } catch (error) {
      fail(span, error);
      throw error;
    }
    if (!isPromiseLike(result)) {
      end(span);
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        end(span);
        return value;
      },
      (error: unknown) => {
        fail(span, error);
        throw error;
      },
    ) as T;
  });
}

function fail(span: Span, error: unknown): void {
  try {
    if (error instanceof Error) span.recordException(error);
    else span.recordException({ name: typeof error, message: String(error) });
    span.setAttribute('error.type', error instanceof Error ? error.name : typeof error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  } catch {
    // Telemetry never replaces the user's error with its own.
  }
  end(span);
}

function end(span: Span): void {
  try {
    // A timed-out invocation may have ended this span already (with its timeout status).
    if (span.isRecording()) span.end();
  } catch {
    // Same as above.
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}
