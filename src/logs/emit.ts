/**
 * The single exit of every log line and of the wide event: envelope, sanitize + redact, serialize,
 * write. Keeping one exit is what lets redaction, the string cap and the per-level counts apply to
 * every line.
 */
import { currentState, type InvocationState } from '../context.ts';
import type { LogLevel } from '../config.ts';
import { activeRedactor } from '../redact/redact.ts';
import { writeLine } from './line-writer.ts';
import { cleanString, DEFAULT_LIMITS, sanitize, type SanitizeOptions } from './safe-json.ts';
import { isoTimestamp } from '../timestamp.ts';

/** The logger name of lambda-observe's own lines, so users can filter or fix its level. */
export const INTERNAL_LOGGER = 'lambda-observe';

interface EmitSettings {
  serviceName: string;
  /** Longest string written before it is cut with a marker. */
  maxStringLength: number;
}

const settings: EmitSettings = {
  serviceName: process.env.OTEL_SERVICE_NAME || process.env.AWS_LAMBDA_FUNCTION_NAME || 'unknown_service',
  maxStringLength: DEFAULT_LIMITS.maxStringLength,
};

/** Set the fields every line carries; called by the lifecycle once the config is resolved. */
export function configureEmit(next: Partial<EmitSettings>): void {
  Object.assign(settings, next);
}

export function serviceName(): string {
  return settings.serviceName;
}

let walkOptions: SanitizeOptions | undefined;

/** The walk options of the next line: limits plus the redactor in force (none when redaction is off). Rebuilt only when either changed. */
function sanitizeOptions(): SanitizeOptions {
  const redactor = activeRedactor();
  if (walkOptions === undefined || walkOptions.redactor !== redactor || walkOptions.maxStringLength !== settings.maxStringLength) {
    walkOptions = {
      maxStringLength: settings.maxStringLength,
      maxDepth: DEFAULT_LIMITS.maxDepth,
      maxItems: DEFAULT_LIMITS.maxItems,
      redactor,
    };
  }
  return walkOptions;
}

interface Correlation {
  readonly fields: Record<string, unknown>;
  /** `fields` as JSON without its opening brace: `"trace_id":"…",…}`, appended to every line of the invocation. */
  readonly jsonTail: string;
}

function correlation(state: InvocationState | undefined): Correlation {
  if (!state) {
    if (outside?.serviceName !== settings.serviceName) outside = { serviceName: settings.serviceName, ...correlationOf({ service: { name: settings.serviceName } }) };
    return outside;
  }
  // Built once per invocation, kept on its state: every line of it carries the same ids (never mutated afterwards).
  let cached = state.logCorrelation as Correlation | undefined;
  if (!cached || (cached.fields.service as { name: string }).name !== settings.serviceName) {
    cached = invocationCorrelation(state, settings.serviceName);
    state.logCorrelation = cached;
  }
  return cached;
}

function correlationOf(fields: Record<string, unknown>): Correlation {
  return { fields, jsonTail: JSON.stringify(fields).slice(1) };
}

/** The invocation's correlation fields (contract.md), serialized once for all of its lines. */
function invocationCorrelation(state: InvocationState, serviceName: string): Correlation {
  return correlationOf({
    trace_id: state.traceId,
    span_id: state.spanId,
    request_id: state.requestId,
    faas: { invocation_id: state.invocationId },
    service: { name: serviceName },
  });
}

let outside: (Correlation & { serviceName: string }) | undefined;

const RESERVED = new Set(['timestamp', 'level', 'message', 'logger', 'trace_id', 'span_id', 'request_id']);

/** Build one log line. User fields come first so that the envelope always wins a name clash. */
export function buildLogLine(
  level: LogLevel,
  logger: string,
  message: string,
  fields: Record<string, unknown> | undefined,
  state: InvocationState | undefined = currentState(),
): string {
  const options = sanitizeOptions();
  const record: Record<string, unknown> = {
    timestamp: isoTimestamp(),
    level,
    message: cleanString(message, options),
    logger,
  };
  if (fields) {
    const clean = sanitize(fields, options) as Record<string, unknown>;
    for (const key of Object.keys(clean)) {
      if (!RESERVED.has(key)) record[key] = clean[key];
    }
  }
  const ids = correlation(state);
  // The common case: no user field shares a name with an envelope object, and the envelope's ids
  // follow the line's own fields as they would after Object.assign, already serialized once.
  if (!('faas' in record) && !('service' in record)) return `${JSON.stringify(record).slice(0, -1)},${ids.jsonTail}\n`;
  Object.assign(record, mergeCorrelation(record, ids.fields));
  return `${JSON.stringify(record)}\n`;
}

/** Envelope objects (`faas`, `service`) merge with same-named user objects instead of replacing them. */
function mergeCorrelation(record: Record<string, unknown>, correlation: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...correlation };
  for (const [key, value] of Object.entries(correlation)) {
    const existing = record[key];
    if (existing && typeof existing === 'object' && !Array.isArray(existing) && typeof value === 'object') {
      merged[key] = { ...(existing as object), ...(value as object) };
    }
  }
  return merged;
}

/**
 * Write a log line now and count it in its invocation. No level filtering: that is the logger's
 * job (logs/dispatch.ts); the lifecycle uses this directly for lines that must always appear.
 */
export function emitLog(
  level: LogLevel,
  logger: string,
  message: string,
  fields?: Record<string, unknown>,
  state: InvocationState | undefined = currentState(),
): void {
  if (state) state.logCounts[level]++;
  writeLine(buildLogLine(level, logger, message, fields, state));
}

/**
 * Write a record (the wide event) as one line. `envelope` is lambda-observe's own data and is
 * written as is (and completed in place: pass a fresh object); `details` (from the user or the event) is sanitized and redacted, and merges into
 * same-named envelope objects without overriding them.
 */
export function emitRecord(envelope: Record<string, unknown>, details: Record<string, unknown> = {}): void {
  const clean = sanitize(details, sanitizeOptions()) as Record<string, unknown>;
  // The envelope is the caller's fresh object, built for this one line: completed in place, not copied.
  const record = envelope;
  for (const key of Object.keys(clean)) {
    const own = record[key];
    const theirs = clean[key];
    if (own === undefined) record[key] = theirs;
    else if (isPlainObject(own) && isPlainObject(theirs)) record[key] = { ...theirs, ...own };
  }
  writeLine(`${JSON.stringify(record)}\n`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
