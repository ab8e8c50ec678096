/**
 * The default view of one invocation, readable at a glance: a header (what was invoked, cold or
 * warm, outcome, duration), its log lines, its span waterfall, its wide event and its result.
 * Sections hang off a left gutter so that each takes no line of its own.
 */
import type { LogEntry } from '../collect.ts';
import type { InvocationResult } from '../run.ts';
import { clockTime, flatten, formatDuration, formatValue, wrapTokens } from './format.ts';
import { padEnd, truncate, visibleLength, type Style } from './style.ts';
import { renderWaterfall, traceOrigins } from './waterfall.ts';

export interface ViewOptions {
  readonly style: Style;
  /** Columns available. */
  readonly width: number;
  readonly verbose: boolean;
  /** Init duration of the handler module, shown on the invocation that was the cold start. */
  readonly initMs: number | undefined;
  /** Name the event in the header (when a run cycles through several). */
  readonly showEventLabel: boolean;
}

const GUTTER = 14;
const PAD = ' '.repeat(GUTTER);

/** Log-line fields shown in the line's own columns or carried by every line: not repeated as key=value. */
const ENVELOPE = new Set(['timestamp', 'level', 'message', 'logger', 'trace_id', 'span_id', 'request_id', 'faas.invocation_id', 'service.name']);
/** Wide-event fields the header already shows. */
const SHOWN_IN_HEADER = new Set([
  'timestamp',
  'level',
  'message',
  'event.name',
  'trace_id',
  'span_id',
  'request_id',
  'faas.invocation_id',
  'exception.stacktrace',
]);
/**
 * Left out of the compact view (--verbose shows them): what is the same for every invocation of
 * the run (service, function, region, host) and what the other sections already show (log counts).
 */
const OMITTED_WHEN_COMPACT = /^(service\.|faas\.name$|faas\.version$|cloud\.|server\.|process\.|aws\.api_gateway\.|log_counts\.|event_source$)/;

export function renderInvocation(run: InvocationResult, notes: readonly LogEntry[], options: ViewOptions): string[] {
  const { style, width, verbose } = options;
  const wide = run.output.wideEvent;
  const flat = new Map(wide ? flatten(wide) : []);
  const lines: string[] = [];

  for (const note of notes) lines.push(section(style, 'note', style.yellow(truncate(noteText(note), width - GUTTER))));
  lines.push(header(run, flat, options));
  const spans = run.output.spans;
  const requestId = flat.get('request_id');
  const ids = [
    String(flat.get('trace_id') ?? spans[0]?.trace_id ?? '–'),
    // The caller's X-Request-ID; when there is none it is the AWS request id, which --verbose shows.
    typeof requestId === 'string' && requestId !== run.awsRequestId ? `request ${requestId}` : '',
    ...traceOrigins(spans),
  ].filter(Boolean);
  lines.push(section(style, 'trace', style.gray(ids.join(' · '))));

  const logLines = run.output.logs.flatMap((entry) => renderLog(entry, style, width, verbose));
  if (logLines.length > 0 || verbose) lines.push(...gutter(style, 'logs', logLines.length ? logLines : [style.gray('(none)')]));

  const waterfall = renderWaterfall(spans, style, width - GUTTER, '', verbose);
  lines.push(...gutter(style, 'spans', waterfall.length ? waterfall : [style.gray('(no spans captured)')]));

  // The wide event.
  if (wide) {
    const shown = [...flat].filter(([key]) => verbose || !(SHOWN_IN_HEADER.has(key) || OMITTED_WHEN_COMPACT.test(key)));
    const tokens = shown.map(([key, value]) => `${style.gray(`${key}=`)}${colourValue(key, value, style)}`);
    const hidden = flat.size - shown.length;
    if (hidden > 0) tokens.push(style.gray(`(+${hidden} more with --verbose)`));
    lines.push(...gutter(style, 'wide event', wrapTokens(tokens, width - GUTTER, '', visibleLength)));
  } else {
    lines.push(section(style, 'wide event', style.gray('(none written)')));
  }

  // What the caller got.
  if (run.outcome === 'success') {
    lines.push(section(style, 'result', style.dim(oneLineJson(run.result, verbose ? Infinity : width - GUTTER))));
  } else {
    const shown = errorLine(run.error);
    lines.push(section(style, run.outcome === 'timeout' ? 'timeout' : 'error', style.red(truncate(shown, verbose ? Infinity : width - GUTTER))));
    if (verbose && run.error instanceof Error && run.error.stack) {
      for (const frame of run.error.stack.split('\n').slice(1)) lines.push(`${PAD}${style.gray(frame.trim())}`);
    }
  }
  return lines;
}

function header(run: InvocationResult, flat: Map<string, unknown>, options: ViewOptions): string {
  const { style, width } = options;
  const method = flat.get('http.request.method');
  const what =
    run.requestLine ??
    (typeof method === 'string'
      ? `${method} ${String(flat.get('http.route') ?? '')}`.trim()
      : [flat.get('event_source'), flat.get('messaging.destination.name')].filter((v) => typeof v === 'string' && v).join(' ') ||
        String(flat.get('faas.trigger') ?? 'invocation'));
  const cold = flat.get('faas.coldstart') === true;
  const temperature = cold
    ? style.cyan(`cold start${options.initMs !== undefined ? ` (init ${formatDuration(options.initMs)})` : ''}`)
    : style.gray('warm');
  const event = options.showEventLabel ? `  ${style.gray(`event ${run.eventLabel}`)}` : '';
  const left = `${style.bold(`▶ #${run.index}`)}  ${style.bold(what)}${event}  ${temperature}`;

  const status = flat.get('http.response.status_code');
  const durationMs = typeof flat.get('duration_ms') === 'number' ? (flat.get('duration_ms') as number) : run.wallMs;
  let badge: string;
  if (run.outcome === 'success') {
    const code = typeof status === 'number' ? ` ${status}` : '';
    const paint = typeof status === 'number' && status >= 500 ? style.red : typeof status === 'number' && status >= 400 ? style.yellow : style.green;
    badge = paint(`✓${code}`);
  } else if (run.outcome === 'timeout') {
    badge = style.red('✗ timeout');
  } else {
    badge = style.red(`✗ ${String(flat.get('exception.type') ?? 'error')}`);
  }
  const right = `${badge}  ${style.bold(formatDuration(durationMs))}`;
  const space = width - visibleLength(left) - visibleLength(right);
  return space >= 2 ? `${left}${' '.repeat(space)}${right}` : `${left}  ${right}`;
}

function renderLog(entry: LogEntry, style: Style, width: number, verbose: boolean): string[] {
  const record = entry.record;
  const level = String(record.level ?? 'info').toLowerCase();
  const paint = level === 'error' ? style.red : level === 'warn' ? style.yellow : level === 'debug' ? style.gray : style.green;
  const logger = String(record.logger ?? '');
  const extras: string[] = [];
  let exception: Record<string, unknown> | undefined;
  for (const [key, value] of flatten(record)) {
    if (ENVELOPE.has(key)) continue;
    if (key.startsWith('exception.')) {
      exception ??= (record.exception as Record<string, unknown>) ?? {};
      continue;
    }
    extras.push(`${key}=${formatValue(value)}`);
  }
  if (exception) extras.push(`exception=${String(exception.type ?? 'Error')}: ${String(exception.message ?? '')}`);
  const head = `${style.gray(clockTime(record.timestamp))} ${paint(level.toUpperCase().padEnd(5))} ${style.cyan(logger)}  ${String(record.message ?? '')}`;
  const tail = extras.length ? `  ${style.gray(extras.join('  '))}` : '';
  const full = head + tail;
  const lines = [verbose || visibleLength(full) <= width - GUTTER ? full : `${head}${style.gray(truncate(`  ${extras.join('  ')}`, Math.max(4, width - GUTTER - visibleLength(head))))}`];
  if (verbose && typeof exception?.stacktrace === 'string') {
    for (const frame of exception.stacktrace.split('\n').slice(1)) lines.push(style.gray(`    ${frame.trim()}`));
  }
  return lines;
}

function colourValue(key: string, value: unknown, style: Style): string {
  const text = formatValue(value);
  if (key === 'outcome') return value === 'success' ? style.green(text) : style.red(text);
  if (key.startsWith('exception.')) return style.red(text);
  return text;
}

function gutter(style: Style, label: string, body: readonly string[]): string[] {
  return body.map((line, i) => (i === 0 ? section(style, label, line) : `${PAD}${line}`));
}

function section(style: Style, label: string, body: string): string {
  return `  ${padEnd(style.bold(label), GUTTER - 2)}${body}`;
}

function noteText(entry: LogEntry): string {
  const r = entry.record;
  return r.level ? `${String(r.level).toUpperCase()} ${String(r.logger ?? '')}: ${String(r.message ?? '')}` : String(r.message ?? entry.raw);
}

function oneLineJson(value: unknown, width: number): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined (no return value)' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return Number.isFinite(width) ? truncate(text, width) : text;
}

function errorLine(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `${typeof error === 'string' ? error : oneLineJson(error, Infinity)} (thrown, not an Error)`;
}
