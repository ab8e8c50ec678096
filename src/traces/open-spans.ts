/**
 * Tracks the child spans each invocation has open, so that a timeout can end them with a timeout
 * status: Lambda kills the process at the deadline, and a span that was never ended is never
 * exported — the slow call that caused the timeout would be invisible.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { currentState, type OpenSpan } from '../context.ts';

export function createOpenSpanTracker(): SpanProcessor {
  const owners = new WeakMap<object, Set<OpenSpan>>();
  return {
    onStart(span: Span, _parent: Context): void {
      const state = currentState();
      if (!state || state.closed) return;
      state.openSpans.add(span);
      owners.set(span, state.openSpans);
    },
    onEnd(span: ReadableSpan): void {
      owners.get(span)?.delete(span as unknown as OpenSpan);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
