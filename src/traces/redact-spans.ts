/**
 * Redaction of every span before any exporter sees it (console, OTLP, Zipkin alike): attributes,
 * event attributes (exception messages and stacks included) and the status message pass through
 * the shared rules of src/redact. Done in `onEnding`, the last moment a span can still change,
 * so nothing set by user code or instrumentations escapes it.
 */
import type { Context } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { redactAttributes, redactText } from '../redact/redact.ts';

export function createSpanRedactor(): SpanProcessor {
  return {
    onStart(_span: Span, _parent: Context): void {},
    onEnding(span: Span): void {
      try {
        const attributes = span.attributes as Record<string, unknown>;
        const redacted = redactAttributes(attributes);
        if (redacted !== attributes) Object.assign(attributes, redacted);
        for (const event of span.events) {
          if (!event.attributes) continue;
          const clean = redactAttributes(event.attributes);
          if (clean !== event.attributes) (event as { attributes: typeof clean }).attributes = clean;
        }
        // `status` is read-only in the ReadableSpan type, a plain field on the SDK's span.
        if (span.status.message) (span as { status: Span['status'] }).status = { ...span.status, message: redactText(span.status.message) };
      } catch {
        // Redaction must never break the span's export.
      }
    },
    onEnd(): void {},
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
