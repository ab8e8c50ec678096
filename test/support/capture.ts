/**
 * Captures the exact lines lambda-observe writes to stdout, in-process, and parses them. Every
 * line must be one JSON object: a line that does not parse fails the test that reads it.
 */
import { captureLines } from '../../src/logs/line-writer.ts';

export type Line = Record<string, any>;

export interface Capture {
  /** Every line so far, parsed. */
  all(): Line[];
  /** Wide events (`event.name` = `faas.invocation`). */
  events(): Line[];
  /** Span lines written by the console exporter. */
  spans(): Line[];
  /** Log lines (everything that is neither an event nor a span). */
  logs(): Line[];
  /** The raw text, for "this secret appears nowhere" checks. */
  text(): string;
  clear(): void;
  stop(): void;
}

export function captureOutput(): Capture {
  let raw: string[] = [];
  const stop = captureLines((line) => raw.push(line));
  const all = () =>
    raw.map((line) => {
      if (!line.endsWith('\n')) throw new Error(`line without final newline: ${line}`);
      return JSON.parse(line) as Line;
    });
  const isEvent = (l: Line) => l.event?.name === 'faas.invocation';
  const isSpan = (l: Line) => l['event.name'] === 'otel.span';
  return {
    all,
    events: () => all().filter(isEvent),
    spans: () => all().filter(isSpan),
    logs: () => all().filter((l) => !isEvent(l) && !isSpan(l)),
    text: () => raw.join(''),
    clear: () => {
      raw = [];
    },
    stop,
  };
}
