/**
 * The wide event: one record per invocation holding everything worth knowing about it, so a
 * question about any request ("which tenant saw the slow checkouts?") is one query, not a join of
 * logs, traces and metrics. Nested objects flatten to the OTel names (`faas.invocation_id`).
 */
import type { InvocationState, InvocationSummary } from '../context.ts';
import { isoTimestamp } from '../timestamp.ts';
import { processMemory } from '../process-memory.ts';

export const WIDE_EVENT_NAME = 'faas.invocation';

/** What the lifecycle knows when it writes the event, besides the invocation state. */
export interface WideEventInput {
  readonly state: InvocationState;
  readonly summary: InvocationSummary;
  readonly serviceName: string;
  readonly serviceVersion: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly region: string | undefined;
  readonly eventSource: string;
  readonly httpMethod: string | undefined;
  /** Trigger attributes of the span worth repeating here (messaging.*, server.address …). */
  readonly triggerAttributes: Readonly<Record<string, string | number | boolean>>;
  /** Fields set for every event of this environment (options.fields, annotateEnvironment()), later ones winning. */
  readonly persistentFields: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly exception: Readonly<{ type: string; message: string; stacktrace: string | undefined }> | undefined;
}

const MESSAGES = {
  success: 'invocation completed',
  error: 'invocation failed',
  timeout: 'invocation timed out',
} as const;

/**
 * The event in two parts. `envelope` is lambda-observe's own data — ids, enums, numbers, names
 * from the environment — written as it is. `details` holds everything that came from the event or
 * the user (annotations, persistent fields, exception text, event attributes): the writer
 * sanitizes and redacts it, and it never overrides the envelope. Walking only the details keeps
 * the per-invocation cost down (the envelope is most of the line).
 */
export interface WideEvent {
  readonly envelope: Record<string, unknown>;
  readonly details: Record<string, unknown>;
}

/** Build the event. */
export function buildWideEvent(input: WideEventInput): WideEvent {
  const { state, summary } = input;
  const envelope: Record<string, unknown> = {
    timestamp: isoTimestamp(),
    level: summary.outcome === 'success' ? 'info' : 'error',
    message: MESSAGES[summary.outcome],
    event: EVENT_NAME,
    trace_id: state.traceId,
    span_id: state.spanId,
    request_id: state.requestId,
    service: { name: input.serviceName, version: input.serviceVersion },
    faas: {
      invocation_id: state.invocationId,
      name: input.functionName,
      version: input.functionVersion,
      trigger: summary.trigger,
      coldstart: summary.coldStart,
    },
    event_source: input.eventSource,
    duration_ms: Math.round(summary.durationMs * 1000) / 1000,
    outcome: summary.outcome,
    log_counts: { ...state.logCounts },
    process: { memory: { rss_bytes: processMemory().rss } },
  };
  if (input.region) envelope.cloud = { region: input.region };
  const details: Record<string, unknown> = {};
  if (input.exception) details.exception = { ...input.exception };
  if (input.httpMethod) details.http = httpFields(input, summary);
  nestInto(details, input.triggerAttributes, NESTED_PREFIXES);
  // Same keys, order and values as merging the bags first: a key keeps its first place, the last value wins.
  for (const fields of input.persistentFields) copyFields(details, fields, envelope);
  copyFields(details, state.fields, envelope);
  return { envelope, details };
}

/** Shared by every event: the envelope's nested objects are serialized, never mutated. */
const EVENT_NAME: Readonly<Record<string, string>> = Object.freeze({ name: WIDE_EVENT_NAME });
const NESTED_PREFIXES: readonly string[] = ['messaging.', 'server.', 'aws.', 'faas.time'];

function copyFields(details: Record<string, unknown>, fields: Readonly<Record<string, unknown>>, envelope: Record<string, unknown>): void {
  const keys = Object.keys(fields);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (!(key in envelope)) details[key] = fields[key];
  }
}

function httpFields(input: WideEventInput, summary: InvocationSummary): Record<string, unknown> {
  const http: Record<string, unknown> = { request: { method: input.httpMethod } };
  if (summary.httpRoute) http.route = summary.httpRoute;
  if (summary.httpStatusCode !== undefined) http.response = { status_code: summary.httpStatusCode };
  return http;
}

/** Add `{ 'messaging.destination.name': 'q' }` as `{ messaging: { destination: { name: 'q' } } }`, for the chosen prefixes, merging into existing objects. */
function nestInto(out: Record<string, unknown>, flat: Readonly<Record<string, unknown>>, prefixes: readonly string[]): void {
  const keys = Object.keys(flat);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string;
    const parts = splitKey(key, prefixes);
    if (!parts) continue;
    let node = out;
    const last = parts.length - 1;
    for (let i = 0; i < last; i++) {
      const part = parts[i] as string;
      const next = node[part];
      node = (next && typeof next === 'object' ? next : (node[part] = {})) as Record<string, unknown>;
    }
    node[parts[last] as string] = flat[key];
  }
}

/** Attribute names repeat on every invocation: split each once. `null` = not nested into the event. */
const splitKeys = new Map<string, string[] | null>();

function splitKey(key: string, prefixes: readonly string[]): string[] | null {
  let parts = splitKeys.get(key);
  if (parts === undefined) {
    parts = prefixes.some((p) => key.startsWith(p)) ? key.split('.') : null;
    if (splitKeys.size < 1024) splitKeys.set(key, parts);
  }
  return parts;
}
