/**
 * `OTEL_TRACES_EXPORTER=console`: each finished span as one JSON line, so it stays one record in
 * CloudWatch (the SDK's ConsoleSpanExporter prints multi-line objects that Lambda splits apart).
 */
import { ExportResultCode, hrTimeToMicroseconds, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

export function createConsoleSpanExporter(writeLine: (line: string) => void): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
      try {
        for (const span of spans) writeLine(`${JSON.stringify(spanRecord(span))}\n`);
        done({ code: ExportResultCode.SUCCESS });
      } catch (error) {
        done({ code: ExportResultCode.FAILED, error: error as Error });
      }
    },
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
}

function spanRecord(span: ReadableSpan): Record<string, unknown> {
  const context = span.spanContext();
  return {
    'event.name': 'otel.span',
    trace_id: context.traceId,
    span_id: context.spanId,
    parent_span_id: span.parentSpanContext?.spanId,
    name: span.name,
    kind: span.kind,
    start_us: hrTimeToMicroseconds(span.startTime),
    duration_us: hrTimeToMicroseconds(span.duration),
    status: span.status,
    attributes: span.attributes,
    events: span.events.map((e) => ({ name: e.name, attributes: e.attributes })),
    links: span.links.map((l) => ({ trace_id: l.context.traceId, span_id: l.context.spanId })),
  };
}
