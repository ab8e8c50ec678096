/**
 * Debug lines on demand. A debug line that the level filters out is not thrown away at once: it
 * is held in a bounded buffer of its invocation and written only if that invocation fails or times
 * out (in order, before the error line); on success it is dropped. So production runs at `info`
 * and still shows the debug trail of exactly the invocations someone will look at.
 *
 * Alternatively (or as well) a fraction of invocations is sampled to write debug lines directly.
 *
 * The buffer lives on the invocation's state (context.ts), so concurrent invocations never mix;
 * it is bounded in bytes, dropping its oldest lines first (the ones nearest the failure matter most).
 */
import type { InvocationState } from '../context.ts';
import { buildLogLine, INTERNAL_LOGGER } from './emit.ts';
import { writeLine } from './line-writer.ts';

export interface DebugBufferSettings {
  /** Hold filtered-out debug lines until the outcome is known. */
  readonly enabled: boolean;
  /** Upper bound of one invocation's buffer, in UTF-8 bytes. */
  readonly maxBytes: number;
  /** Fraction in [0, 1] of invocations that write debug lines directly. */
  readonly sampleRate: number;
}

export const DEFAULT_DEBUG_BUFFER: DebugBufferSettings = { enabled: true, maxBytes: 256 * 1024, sampleRate: 0 };

/** The wide-event field set on invocations sampled to write debug lines. */
export const DEBUG_SAMPLED_FIELD = 'log.debug_sampled';

let settings: DebugBufferSettings = DEFAULT_DEBUG_BUFFER;
const droppedLines = new WeakMap<InvocationState, number>();
const sampling = new WeakMap<InvocationState, boolean>();

export function configureDebugBuffer(next: DebugBufferSettings): void {
  settings = next;
}

export function debugBufferEnabled(): boolean {
  return settings.enabled && settings.maxBytes > 0;
}

/** Whether `state` was drawn to write debug lines directly (decided once per invocation). */
export function isDebugSampled(state: InvocationState): boolean {
  let sampled = sampling.get(state);
  if (sampled === undefined) {
    sampled = settings.sampleRate > 0 && Math.random() < settings.sampleRate;
    sampling.set(state, sampled);
    if (sampled) state.fields[DEBUG_SAMPLED_FIELD] = true;
  }
  return sampled;
}

/** Hold one complete debug line (built now, so it keeps its timestamp and the values as they were). */
export function bufferDebugLine(state: InvocationState, line: string): void {
  const bytes = Buffer.byteLength(line);
  if (bytes > settings.maxBytes) {
    droppedLines.set(state, (droppedLines.get(state) ?? 0) + 1);
    return;
  }
  const buffer = (state.debugBuffer ??= []);
  buffer.push(line);
  state.debugBufferBytes += bytes;
  let dropped = 0;
  while (state.debugBufferBytes > settings.maxBytes && buffer.length > 1) {
    state.debugBufferBytes -= Buffer.byteLength(buffer.shift() as string);
    dropped++;
  }
  if (dropped > 0) droppedLines.set(state, (droppedLines.get(state) ?? 0) + dropped);
}

/**
 * Settle the buffer when the outcome is known: write its lines (counted as debug) if `write`, else
 * drop them. Idempotent; lines logged after this are filtered normally.
 */
export function settleDebugBuffer(state: InvocationState, write: boolean): void {
  const lines = state.debugBuffer;
  const dropped = droppedLines.get(state) ?? 0;
  state.debugBuffer = undefined;
  state.debugBufferBytes = 0;
  droppedLines.delete(state);
  if (!write || (!lines && dropped === 0)) return;
  if (dropped > 0) {
    state.logCounts.debug++;
    writeLine(
      buildLogLine(
        'debug',
        INTERNAL_LOGGER,
        `${dropped} earlier debug lines of this invocation were dropped: the debug buffer holds ${settings.maxBytes} bytes`,
        { dropped_lines: dropped },
        state,
      ),
    );
  }
  for (const line of lines ?? []) {
    state.logCounts.debug++;
    writeLine(line);
  }
}
