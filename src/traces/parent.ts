/**
 * The caller's trace context: W3C `traceparent`/`tracestate` from an event's carrier, or an X-Ray
 * header when the user enabled it and the header is sampled.
 */
import { TraceFlags, trace, type Context, type Link, type SpanContext } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { CHAIN_ROOT } from './context-chain.ts';

type Carrier = Record<string, string>;

const w3c = new W3CTraceContextPropagator();
const carrierGetter = {
  get: (carrier: Carrier, key: string) => carrier[key.toLowerCase()],
  keys: (carrier: Carrier) => Object.keys(carrier),
};

export interface ParentResult {
  readonly context: Context;
  readonly source: 'w3c' | 'xray' | 'none';
  /** A carrier had a `traceparent` that is not valid W3C, so it was ignored. */
  readonly malformed: boolean;
}

/**
 * Extract the parent context. `xrayHeader` is the runtime's `_X_AMZN_TRACE_ID`, used only if
 * `useXray`. The context derives from CHAIN_ROOT, as every context of the invocation then does
 * (see context-chain.ts).
 */
export function extractParent(carrier: Carrier | undefined, useXray: boolean, xrayHeader: string | undefined): ParentResult {
  let malformed = false;
  if (carrier?.traceparent !== undefined) {
    const context = w3c.extract(CHAIN_ROOT, carrier, carrierGetter);
    if (trace.getSpanContext(context)) return { context, source: 'w3c', malformed: false };
    malformed = true;
  }
  if (useXray) {
    const xray = parseXrayHeader(carrier?.['x-amzn-trace-id']) ?? parseXrayHeader(xrayHeader);
    if (xray && xray.traceFlags === TraceFlags.SAMPLED) {
      return { context: trace.setSpanContext(CHAIN_ROOT, xray), source: 'xray', malformed };
    }
  }
  return { context: CHAIN_ROOT, source: 'none', malformed };
}

/** One link per carrier that holds a valid context (W3C first, else X-Ray). */
export function extractLinks(carriers: readonly Carrier[]): Link[] {
  const links: Link[] = [];
  for (const carrier of carriers) {
    const parent = extractParent(carrier, true, undefined);
    const context = trace.getSpanContext(parent.context);
    if (context) links.push({ context });
  }
  return links;
}

/**
 * `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1` → span context.
 * The X-Ray trace id is the epoch part and the random part concatenated, which is a valid W3C id.
 */
export function parseXrayHeader(header: string | undefined): SpanContext | undefined {
  if (!header) return undefined;
  let root: string | undefined;
  let parent: string | undefined;
  let sampled = false;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 'Root') root = value;
    else if (key === 'Parent') parent = value;
    else if (key === 'Sampled') sampled = value === '1';
  }
  const match = root ? /^1-([0-9a-f]{8})-([0-9a-f]{24})$/i.exec(root) : null;
  if (!match || !parent || !/^[0-9a-f]{16}$/i.test(parent)) return undefined;
  const traceId = `${match[1]}${match[2]}`.toLowerCase();
  if (/^0+$/.test(traceId) || /^0+$/.test(parent)) return undefined;
  return {
    traceId,
    spanId: parent.toLowerCase(),
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  };
}
