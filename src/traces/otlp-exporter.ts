/**
 * The OTLP/HTTP span exporter (JSON or protobuf): the OpenTelemetry serializers and configuration
 * (otlp-transformer, otlp-exporter-base's merge of options, OTEL_EXPORTER_OTLP_* and defaults)
 * with a transport of ours (./otlp-http-transport.ts) and a direct path from `export()` to the
 * request. It behaves as `OTLPTraceExporter` does — the same bytes, headers, concurrency limit,
 * retries of retryable answers within the timeout, partial-success warning — without its
 * per-export layers of promises, stream and metrics bookkeeping.
 *
 * Loaded lazily (src/traces/exporters.ts): the serializers must not cost a function that does
 * not export spans.
 */
import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { convertLegacyHttpOptions } from '@opentelemetry/otlp-exporter-base/node-http';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type * as Http from 'node:http';
import { createOtlpHttpTransport, type OtlpHttpTransport, type OtlpHttpTransportOptions, type OtlpResponse } from './otlp-http-transport.ts';

export interface OtlpExporterOptions {
  readonly protocol: 'http/json' | 'http/protobuf';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMillis: number;
  readonly compression: 'none' | 'gzip';
  readonly concurrencyLimit: number;
  /** A connection opened during init for an `http:` endpoint (../preconnect.ts). */
  readonly preconnected?: OtlpHttpTransportOptions['preconnected'];
}

/** What the OTLP exporter of this otlp-exporter-base version sends as its User-Agent. */
const USER_AGENT = 'OTel-OTLP-Exporter-JavaScript/0.301.0';
/** otlp-exporter-base's retry policy: up to 5 retries, backing off from 1 s by 1.5 × (± 20 %) up to 5 s, within the timeout. */
const MAX_RETRIES = 5;
const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 5000;
const BACKOFF_MULTIPLIER = 1.5;
const JITTER = 0.2;

export function createOtlpTraceExporter(options: OtlpExporterOptions): SpanExporter {
  const json = options.protocol === 'http/json';
  const serializer = json ? JsonTraceSerializer : ProtobufTraceSerializer;
  // The library's own merge of code options, OTEL_EXPORTER_OTLP_* and defaults, as OTLPTraceExporter
  // does it: the same URL, headers (environment headers underneath ours, Content-Type on top) and,
  // for https, the agent with the client certificates of the environment.
  const config = convertLegacyHttpOptions(
    { url: options.url, headers: { ...options.headers }, timeoutMillis: options.timeoutMillis, compression: options.compression as never, concurrencyLimit: options.concurrencyLimit },
    'TRACES',
    'v1/traces',
    { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' },
  );
  const timeoutMs = config.timeoutMillis;
  const limit = config.concurrencyLimit;
  // Static in practice (code options and environment); resolved once, before the first request.
  let transport: OtlpHttpTransport | undefined;
  const ready = config.headers().then((headers) => {
    transport = createOtlpHttpTransport({
      url: config.url,
      headers: { ...headers, 'User-Agent': USER_AGENT },
      compression: config.compression === 'gzip' ? 'gzip' : 'none',
      agent: async () => (await config.agentFactory('https:')) as Http.Agent,
      preconnected: options.preconnected,
    });
  });
  ready.catch(() => undefined);
  let active = 0;
  let idle: Array<() => void> = [];

  const send = (body: Uint8Array, timeout: number): Promise<OtlpResponse> =>
    transport ? transport.send(body, timeout) : ready.then(() => (transport as OtlpHttpTransport).send(body, timeout));

  /** One attempt, and the retries of a retryable answer while they fit in the timeout; `complete` is called once. */
  const attempt = (body: Uint8Array, timeout: number, deadline: number, retries: number, backoff: number, complete: (result: ExportResult) => void): void => {
    send(body, timeout).then(
      (response) => {
        if (response.status === 'retryable' && retries > 0) {
          const jittered = Math.max(Math.min(backoff * (1 + (Math.random() * 2 * JITTER - JITTER)), MAX_BACKOFF_MS), 0);
          const waitMs = response.retryInMillis ?? jittered;
          const remaining = deadline - Date.now();
          if (waitMs <= remaining) {
            // The next attempt gets what is left of the deadline when it starts, not when it was planned.
            setTimeout(() => attempt(body, Math.max(1, deadline - Date.now()), deadline, retries - 1, backoff * BACKOFF_MULTIPLIER, complete), waitMs).unref();
            return;
          }
        }
        if (response.status === 'success') {
          if (response.data.length > 0) warnPartialSuccess(() => serializer.deserializeResponse(response.data));
          complete({ code: ExportResultCode.SUCCESS });
        } else if (response.status === 'failure') {
          complete({ code: ExportResultCode.FAILED, error: response.error });
        } else {
          complete({ code: ExportResultCode.FAILED, error: response.error ?? new Error('Export failed with retryable status') });
        }
      },
      (error: unknown) => complete({ code: ExportResultCode.FAILED, error: error as Error }),
    );
  };

  const whenIdle = (): Promise<void> => (active === 0 ? Promise.resolve() : new Promise((resolve) => idle.push(resolve)));

  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
      if (active >= limit) {
        done({ code: ExportResultCode.FAILED, error: new Error('Concurrent export limit reached') });
        return;
      }
      const body = serializer.serializeRequest(spans);
      if (body == null) {
        done({ code: ExportResultCode.FAILED, error: new Error('Nothing to send') });
        return;
      }
      active++;
      attempt(body, timeoutMs, Date.now() + timeoutMs, MAX_RETRIES, INITIAL_BACKOFF_MS, (result) => {
        if (--active === 0 && idle.length > 0) {
          const waiting = idle;
          idle = [];
          for (const resolve of waiting) resolve();
        }
        try {
          done(result);
        } catch {
          // The processor's callback runs inside a promise reaction here: a throw must not become an
          // unhandled rejection that ends the process.
        }
      });
    },
    forceFlush: whenIdle,
    async shutdown(): Promise<void> {
      await whenIdle();
      transport?.shutdown();
    },
  };
}

/** The exporter's partial-success handling: a diag warning, nothing else. */
function warnPartialSuccess(decode: () => unknown): void {
  try {
    const response = decode() as { partialSuccess?: Record<string, unknown> } | null | undefined;
    const partial = response?.partialSuccess;
    if (partial == null || Object.keys(partial).length === 0) return;
    diag.warn('Received Partial Success response:', JSON.stringify(partial));
  } catch (error) {
    diag.warn('Export succeeded but could not deserialize response - is the response specification compliant?', error);
  }
}
