/**
 * Outgoing HTTP calls made inside an invocation carry its trace onward: `traceparent`/`tracestate`
 * (whatever the global propagator writes, see OTEL_PROPAGATORS) and `X-Request-ID`, so the next
 * service joins the same trace and logs the same request id. Each call also gets a CLIENT span.
 *
 * No monkey-patching: Node publishes every request on diagnostics channels — undici's
 * `undici:request:create` for global fetch, `http.client.request.created` for node:http (added
 * in Node 23.2, backported to 22.x) — and a subscriber may still add headers there. A request
 * made outside an invocation, or by an exporter (tracing suppressed), is left alone.
 */
import type * as DiagnosticsChannel from 'node:diagnostics_channel';

// From `process.getBuiltinModule`, not an ESM import: an ESM import of a builtin builds a namespace
// facade that runs every lazy getter (measured: node:fs ≈ 5 ms, node:util ≈ 7 ms, node:crypto ≈ 11 ms
// at cold start); this needs two functions of it.
const dc = process.getBuiltinModule('node:diagnostics_channel') as typeof DiagnosticsChannel;
import { SpanKind, SpanStatusCode, context, propagation, trace, type Span, type TextMapSetter, type Tracer } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { currentState } from '../context.ts';

/** The parts of undici's Request we touch. */
interface UndiciRequest {
  method?: string;
  origin?: string | URL;
  path?: string;
  headers?: string[] | string;
  addHeader(name: string, value: string): unknown;
}

/** The parts of node's ClientRequest we touch. */
interface NodeClientRequest {
  method?: string;
  protocol?: string;
  host?: string;
  path?: string;
  getHeader(name: string): unknown;
  setHeader(name: string, value: string): unknown;
  headersSent?: boolean;
}

type Handler = (message: unknown) => void;

let tracer: Tracer | undefined;
const spans = new WeakMap<object, Span>();
const subscriptions: Array<[string, Handler]> = [
  ['undici:request:create', (m) => onUndiciCreate((m as { request: UndiciRequest }).request)],
  ['undici:request:headers', (m) => endWithStatus(m as { request: object; response?: { statusCode?: number } })],
  ['undici:request:error', (m) => endWithError(m as { request: object; error: unknown })],
  ['http.client.request.created', (m) => onNodeCreate((m as { request: NodeClientRequest }).request)],
  ['http.client.response.finish', (m) => endWithStatus(m as { request: object; response?: { statusCode?: number } })],
  ['http.client.request.error', (m) => endWithError(m as { request: object; error: unknown })],
];

/** Subscribe (once); later calls only switch the tracer. */
export function enableHttpPropagation(next: Tracer): void {
  const first = tracer === undefined;
  tracer = next;
  if (!first) return;
  for (const [name, handler] of subscriptions) dc.subscribe(name, handler);
}

/** Unsubscribe (shutdown, tests). Idempotent. */
export function disableHttpPropagation(): void {
  if (tracer === undefined) return;
  tracer = undefined;
  for (const [name, handler] of subscriptions) dc.unsubscribe(name, handler);
}

const undiciSetter: TextMapSetter<UndiciRequest> = {
  set(request, key, value) {
    if (!undiciHas(request, key)) request.addHeader(key, value);
  },
};

const nodeSetter: TextMapSetter<NodeClientRequest> = {
  set(request, key, value) {
    if (request.getHeader(key) === undefined) request.setHeader(key, value);
  },
};

function onUndiciCreate(request: UndiciRequest): void {
  try {
    const origin = request.origin === undefined ? undefined : new URL(String(request.origin));
    inject(request, undiciSetter, request.method, origin, request.path);
  } catch {
    // Never break the user's request over a header.
  }
}

function onNodeCreate(request: NodeClientRequest): void {
  try {
    if (request.headersSent) return;
    const host = String(request.getHeader('host') ?? request.host ?? '');
    const origin = host ? new URL(`${request.protocol ?? 'http:'}//${host}`) : undefined;
    inject(request, nodeSetter, request.method, origin, request.path);
  } catch {
    // Never break the user's request over a header.
  }
}

function inject<C extends object>(
  request: C,
  setter: TextMapSetter<C>,
  method: string | undefined,
  origin: URL | undefined,
  path: string | undefined,
): void {
  const state = currentState();
  const active = context.active();
  if (!state || !tracer || isTracingSuppressed(active)) return;
  let carried = active;
  if (!state.closed) {
    const span = tracer.startSpan(method ?? 'HTTP', { kind: SpanKind.CLIENT, attributes: clientAttributes(method, origin, path) }, active);
    spans.set(request, span);
    carried = trace.setSpan(active, span);
  }
  propagation.inject(carried, request, setter);
  setter.set(request, 'x-request-id', state.requestId);
}

function clientAttributes(method: string | undefined, origin: URL | undefined, path: string | undefined): Record<string, string | number> {
  const attributes: Record<string, string | number> = { 'http.request.method': method ?? '_OTHER' };
  if (origin) {
    attributes['server.address'] = origin.hostname;
    attributes['server.port'] = Number(origin.port) || (origin.protocol === 'https:' ? 443 : 80);
    // No query string: it is where signed URLs and API keys travel.
    attributes['url.full'] = `${origin.protocol}//${origin.host}${(path ?? '/').split('?')[0]}`;
  }
  return attributes;
}

function endWithStatus(message: { request: object; response?: { statusCode?: number } }): void {
  const span = spans.get(message.request);
  if (!span) return;
  spans.delete(message.request);
  try {
    const status = message.response?.statusCode;
    if (typeof status === 'number') {
      span.setAttribute('http.response.status_code', status);
      if (status >= 400) {
        span.setAttribute('error.type', String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    }
    if (span.isRecording()) span.end();
  } catch {
    // Telemetry never throws into user code.
  }
}

function endWithError(message: { request: object; error: unknown }): void {
  const span = spans.get(message.request);
  if (!span) return;
  spans.delete(message.request);
  try {
    const error = message.error;
    const type = error instanceof Error ? ((error as { code?: string }).code ?? error.name) : 'Error';
    span.setAttribute('error.type', type);
    if (error instanceof Error) span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    if (span.isRecording()) span.end();
  } catch {
    // Telemetry never throws into user code.
  }
}

function undiciHas(request: UndiciRequest, key: string): boolean {
  const headers = request.headers;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === key) return true;
    return false;
  }
  return typeof headers === 'string' && new RegExp(`(^|\\r\\n)${key}:`, 'i').test(headers);
}
