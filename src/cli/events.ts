/**
 * `--event <name|file|json|->`: where the events come from, checked to be JSON objects.
 *
 * A named sample gets fresh trace ids in every copy (its traceparent and X-Ray headers): the
 * sample stands for a new request from an upstream caller each time, so every invocation is its
 * own trace — in Jaeger too — instead of all runs piling into the fixture's fixed trace id.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { CliError } from './errors.ts';
import { isSampleName, sampleEvent, SAMPLE_NAMES } from './sample-events.ts';

/** Where one `--event` came from, and how to get a fresh copy of it for each invocation. */
export interface EventSource {
  /** Shown in the output: the sample name, the file, `stdin` or `inline JSON`. */
  readonly label: string;
  readonly sample: boolean;
  next(): Record<string, unknown>;
}

/** Resolve one `--event` value. `readStdin` is injectable so that `-` can be read once. */
export function resolveEvent(spec: string, readStdin: () => string = () => readFileSync(0, 'utf8')): EventSource {
  if (isSampleName(spec)) {
    return { label: spec, sample: true, next: () => refreshTraceIds(sampleEvent(spec)) };
  }
  if (spec === '-') return fixed('stdin', parseEvent(readStdin(), 'the event on stdin'));
  if (existsSync(spec) && statSync(spec).isFile()) {
    return fixed(spec, parseEvent(readFileSync(spec, 'utf8'), `event file ${spec}`));
  }
  if (looksLikeJson(spec)) return fixed('inline JSON', parseEvent(spec, 'the --event JSON'));
  throw new CliError(`--event ${JSON.stringify(spec)} is neither a file nor a sample (samples: ${SAMPLE_NAMES.join(', ')})`);
}

/** The event of a run without `--event`: an empty direct invocation. */
export function defaultEvent(): EventSource {
  return fixed('{} (direct)', {});
}

function fixed(label: string, event: Record<string, unknown>): EventSource {
  return { label, sample: false, next: () => structuredClone(event) };
}

function looksLikeJson(text: string): boolean {
  return /^\s*([{["]|-?\d|true\b|false\b|null\b)/.test(text);
}

/** Parse `text` as a Lambda event: valid JSON whose top level is an object. */
export function parseEvent(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new CliError(`${what} must be a JSON object, got ${got}`);
  }
  return value as Record<string, unknown>;
}

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-([0-9a-f]{2})$/i;
const XRAY_ROOT = /Root=1-[0-9a-f]{8}-[0-9a-f]{24}/i;

/** Replace every W3C traceparent and X-Ray root in `event` with fresh ids; equal values stay equal. */
export function refreshTraceIds<T>(event: T): T {
  const replaced = new Map<string, string>();
  const swap = (value: string): string => {
    const known = replaced.get(value);
    if (known) return known;
    let fresh = value;
    const w3c = TRACEPARENT.exec(value);
    if (w3c) fresh = `00-${hex(16)}-${hex(8)}-${w3c[1]}`;
    else if (XRAY_ROOT.test(value)) fresh = value.replace(XRAY_ROOT, `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${hex(12)}`).replace(/Parent=[0-9a-f]{16}/i, `Parent=${hex(8)}`);
    replaced.set(value, fresh);
    return fresh;
  };
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return swap(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) (node as Record<string, unknown>)[key] = walk(value);
    }
    return node;
  };
  return walk(event) as T;
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
