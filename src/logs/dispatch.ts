/**
 * The decision for one log call: remap its level, then write it, hold it in the debug buffer, or
 * drop it. Every logger, console capture and our own warnings go through here.
 */
import { trace } from '@opentelemetry/api';
import type { LogLevel } from '../config.ts';
import { currentState } from '../context.ts';
import { redactText } from '../redact/redact.ts';
import { bufferDebugLine, debugBufferEnabled, isDebugSampled } from './debug-buffer.ts';
import { buildLogLine, emitLog } from './emit.ts';
import { policyOf, SEVERITY } from './levels.ts';
import { errorType, truncate } from './safe-json.ts';
import { ensureLogSettings } from './settings.ts';

/** Longest message copied into a span event: the log line has the full text. */
const SPAN_EVENT_MESSAGE_MAX = 256;

/**
 * Log `message` at `level` for the logger `name`. Never throws.
 *
 * Order: remap (`vendor.sdk: error → warn`), then the logger's threshold. A debug line below the
 * threshold is still written if the invocation was sampled for debug, or buffered until the
 * outcome is known — unless the logger's level was set explicitly by name (`db=warn` means the
 * user does not want db's chatter even when things fail).
 */
export function dispatchLog(name: string, level: LogLevel, message: string, fields?: Record<string, unknown>): void {
  try {
    ensureLogSettings();
    const policy = policyOf(name);
    const effective = policy.remap?.[level] ?? level;
    const state = currentState();
    if (SEVERITY[effective] <= policy.threshold) {
      emitLog(effective, name, message, fields, state);
      if (effective === 'error' || effective === 'warn') addSpanEvent(effective, name, message, fields);
      return;
    }
    if (effective !== 'debug' || !state || state.closed || policy.overridden) return;
    if (isDebugSampled(state)) emitLog('debug', name, message, fields, state);
    else if (debugBufferEnabled()) bufferDebugLine(state, buildLogLine('debug', name, message, fields, state));
  } catch {
    // A log call never throws into user code.
  }
}

/** Whether a call at `level` on logger `name` would write or hold a line right now. Never throws. */
export function wouldLog(name: string, level: LogLevel): boolean {
  try {
    ensureLogSettings();
    const policy = policyOf(name);
    const effective = policy.remap?.[level] ?? level;
    if (SEVERITY[effective] <= policy.threshold) return true;
    if (effective !== 'debug' || policy.overridden) return false;
    const state = currentState();
    return state !== undefined && !state.closed && (debugBufferEnabled() || isDebugSampled(state));
  } catch {
    return false;
  }
}

/** Error and warn lines also appear on the active span, so a trace view shows them in place. */
function addSpanEvent(level: LogLevel, logger: string, message: string, fields: Record<string, unknown> | undefined): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  const attributes: Record<string, string> = {
    'log.severity': level,
    'log.logger': logger,
    'log.message': shortText(message),
  };
  const exception = fields?.exception;
  if (exception instanceof Error) {
    attributes['exception.type'] = errorType(exception);
    attributes['exception.message'] = shortText(String(exception.message));
  }
  span.addEvent('log', attributes);
}

/** Redacted first, then cut: a cut secret might no longer be recognised. */
function shortText(text: string): string {
  return truncate(redactText(text.length > 4 * SPAN_EVENT_MESSAGE_MAX ? text.slice(0, 4 * SPAN_EVENT_MESSAGE_MAX) : text), SPAN_EVENT_MESSAGE_MAX);
}
