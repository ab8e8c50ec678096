/**
 * Collects everything the invocations write — log lines, span lines (console exporter), the wide
 * event — through `captureLines`, which hands over exactly the bytes that would go to stdout, and
 * sorts them by invocation so that concurrent invocations can be shown one at a time.
 * The handler's own `console.*` output is collected the same way.
 */
import { formatWithOptions } from 'node:util';
import { currentInvocation } from '../context.ts';
import { captureLines } from '../logs/line-writer.ts';

/** One finished span as the console exporter writes it (`"event.name":"otel.span"`). */
export interface SpanRecord {
  readonly trace_id: string;
  readonly span_id: string;
  readonly parent_span_id?: string;
  readonly name: string;
  readonly kind: number;
  readonly start_us: number;
  readonly duration_us: number;
  readonly status?: { code: number; message?: string };
  readonly attributes?: Record<string, unknown>;
  readonly events?: ReadonlyArray<{ name: string; attributes?: Record<string, unknown> }>;
  readonly links?: ReadonlyArray<{ trace_id: string; span_id: string }>;
}

/** A log line: the parsed record, or only text for console output and non-JSON writes. */
export interface LogEntry {
  readonly record: Record<string, unknown>;
  /** The exact line, as it would reach CloudWatch. */
  readonly raw: string;
  /** True for the handler's own console.* output. */
  readonly console: boolean;
}

/** What one invocation wrote. */
export interface InvocationOutput {
  readonly logs: LogEntry[];
  readonly spans: SpanRecord[];
  readonly wideEvent: Record<string, unknown> | undefined;
}

export interface Collector {
  /** Remove and return what invocation `invocationId` wrote (spans: its span and descendants). */
  take(invocationId: string): InvocationOutput;
  /** Remove and return lines that belong to no invocation (init-time warnings, late spans). */
  takeUnattributed(): LogEntry[];
  stop(): void;
}

export interface CollectOptions {
  /** Also called with every captured line, in order (for --json). */
  readonly onLine?: (line: string) => void;
  /** Where console output outside an invocation goes (the real console). */
  readonly onStrayConsole?: (method: ConsoleMethod, text: string) => void;
  /** Collect console.* output per invocation; otherwise it goes to `onStrayConsole` too. */
  readonly collectConsole: boolean;
}

export type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';
const CONSOLE_LEVELS: Record<ConsoleMethod, string> = {
  log: 'info',
  info: 'info',
  warn: 'warn',
  error: 'error',
  debug: 'debug',
  trace: 'debug',
};

/** Start collecting; `stop()` restores stdout and the console. */
export function startCollecting(options: CollectOptions): Collector {
  const byInvocation = new Map<string, LogEntry[]>();
  const wideEvents = new Map<string, Record<string, unknown>>();
  const spans: SpanRecord[] = [];
  const unattributed: LogEntry[] = [];

  const file = (entry: LogEntry) => {
    const id = invocationIdOf(entry.record);
    if (!id) {
      unattributed.push(entry);
      return;
    }
    const list = byInvocation.get(id) ?? [];
    list.push(entry);
    byInvocation.set(id, list);
  };

  const onLine = (line: string) => {
    options.onLine?.(line);
    const record = parseRecord(line);
    if (!record) {
      unattributed.push({ record: { message: line.trimEnd() }, raw: line, console: false });
    } else if (record['event.name'] === 'otel.span') {
      spans.push(record as unknown as SpanRecord);
    } else if (isWideEvent(record)) {
      const id = invocationIdOf(record);
      if (id) wideEvents.set(id, record);
      else unattributed.push({ record, raw: line, console: false });
    } else {
      file({ record, raw: line, console: false });
    }
  };
  const stopCapture = captureLines(onLine);
  const restoreConsole = patchConsole((method, text) => {
    const ids = currentInvocation();
    if (!ids || !options.collectConsole) {
      options.onStrayConsole?.(method, text);
      return;
    }
    const record = {
      timestamp: new Date().toISOString(),
      level: CONSOLE_LEVELS[method],
      message: text,
      logger: `console.${method}`,
      trace_id: ids.traceId,
      faas: { invocation_id: ids.invocationId },
    };
    file({ record, raw: `${text}\n`, console: true });
  });

  return {
    take(invocationId) {
      const logs = byInvocation.get(invocationId) ?? [];
      byInvocation.delete(invocationId);
      const wideEvent = wideEvents.get(invocationId);
      wideEvents.delete(invocationId);
      const rootId = typeof wideEvent?.span_id === 'string' ? wideEvent.span_id : rootSpanIdOf(spans, invocationId);
      return { logs, spans: rootId ? takeTree(spans, rootId) : [], wideEvent };
    },
    takeUnattributed() {
      return unattributed.splice(0);
    },
    stop() {
      restoreConsole();
      stopCapture();
    },
  };
}

function parseRecord(line: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `faas.invocation_id`, nested (our lines) or flat (other writers). */
export function invocationIdOf(record: Record<string, unknown>): string | undefined {
  const faas = record.faas as Record<string, unknown> | undefined;
  const id = (faas && typeof faas === 'object' ? faas.invocation_id : undefined) ?? record['faas.invocation_id'];
  return typeof id === 'string' ? id : undefined;
}

export function isWideEvent(record: Record<string, unknown>): boolean {
  const event = record.event as Record<string, unknown> | undefined;
  return (event && typeof event === 'object' ? event.name : record['event.name']) === 'faas.invocation';
}

function rootSpanIdOf(spans: readonly SpanRecord[], invocationId: string): string | undefined {
  return spans.find((s) => s.attributes?.['faas.invocation_id'] === invocationId)?.span_id;
}

/** Remove the span `rootId` and all its descendants from `spans`, returning them. */
function takeTree(spans: SpanRecord[], rootId: string): SpanRecord[] {
  const members = new Set([rootId]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const span of spans) {
      if (!members.has(span.span_id) && span.parent_span_id && members.has(span.parent_span_id)) {
        members.add(span.span_id);
        grew = true;
      }
    }
  }
  const taken: SpanRecord[] = [];
  for (let i = spans.length - 1; i >= 0; i--) {
    const span = spans[i] as SpanRecord;
    if (members.has(span.span_id)) taken.unshift(...spans.splice(i, 1));
  }
  return taken;
}

/** Route console.* through `write` until the returned function is called. */
function patchConsole(write: (method: ConsoleMethod, text: string) => void): () => void {
  const originals = new Map<ConsoleMethod, (...args: unknown[]) => void>();
  for (const method of Object.keys(CONSOLE_LEVELS) as ConsoleMethod[]) {
    originals.set(method, console[method]);
    console[method] = (...args: unknown[]) => write(method, formatWithOptions({ colors: false }, ...args));
  }
  return () => {
    for (const [method, original] of originals) console[method] = original;
  };
}
