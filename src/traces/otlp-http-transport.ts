/**
 * The HTTP side of an OTLP span export: one POST of an already serialized request over a
 * keep-alive connection, answered as otlp-exporter-base's transports answer (success, failure,
 * retryable with Retry-After).
 *
 * Why not the exporter's own transport: per request it parses the URL, awaits the headers
 * function, pipes the body through a `Readable` and wraps all that in a retrying layer of
 * promises and metrics bookkeeping (with the leaner flush around it: 239 → 154 µs of main-thread
 * time per exporting invocation, `bench/profile.ts warm lo-interval` minus `lo-off`), and its
 * first export runs `await import("http")`, which as an ES module namespace evaluates http's lazy
 * getters and loads undici (≈ 25 ms in the npm package, docs/performance.md). Here an `http:`
 * endpoint is reached through the small client of ../http1-client.ts (node:net; loading and first
 * running node:http's client is a large part of a cold start's export cost), an `https:` one
 * through node:https from `process.getBuiltinModule`, and everything that does not change between
 * requests (URL, headers, agent) is worked out once. Only an `https:` endpoint still takes its
 * agent from the library (it carries the client certificates of OTEL_EXPORTER_OTLP_*CERTIFICATE*).
 */
import type * as Http from 'node:http';
import type * as Zlib from 'node:zlib';
import { createHttp1Origin, Http1BodyTooLargeError, type Http1Origin, type Http1OriginOptions, type Http1Response } from '../http1-client.ts';

/** The answer of one send, in otlp-exporter-base's `ExportResponse` terms. */
export type OtlpResponse =
  | { readonly status: 'success'; readonly data: Buffer }
  | { readonly status: 'failure'; readonly error: Error }
  | { readonly status: 'retryable'; readonly error?: Error; readonly retryInMillis?: number };

export interface OtlpHttpTransportOptions {
  readonly url: string;
  /** Every request header but `Content-Length` / `Content-Encoding` (set here). */
  readonly headers: Readonly<Record<string, string>>;
  readonly compression: 'none' | 'gzip';
  /**
   * The agent for `https:` endpoints, when the exporter's configuration supplies one (client
   * certificates from `OTEL_EXPORTER_OTLP_*CERTIFICATE*`). `http:` endpoints use ../http1-client.ts.
   */
  readonly agent?: () => Promise<Http.Agent>;
  /** A connection opened during init for an `http:` endpoint (see ../http1-client.ts). */
  readonly preconnected?: Http1OriginOptions['preconnected'];
}

export interface OtlpHttpTransport {
  /** POST `body`; the request is given up `timeoutMs` after it starts. Never rejects. */
  send(body: Uint8Array, timeoutMs: number): Promise<OtlpResponse>;
  /** Close idle sockets. */
  shutdown(): void;
}

/** The exporter's own limit: a larger answer is not read (a misbehaving endpoint). */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** As otlp-exporter-base: network errors worth a retry. */
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH']);

/** An error as otlp-exporter-base reports an HTTP error answer (`OTLPExporterError`: name, code, data). */
export class OtlpHttpError extends Error {
  override readonly name = 'OTLPExporterError';
  readonly code: number | undefined;
  readonly data: string;
  constructor(message: string | undefined, code: number | undefined, data: string) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

export function createOtlpHttpTransport(options: OtlpHttpTransportOptions): OtlpHttpTransport {
  const url = new URL(options.url);
  const secure = url.protocol === 'https:';
  const gzip = options.compression === 'gzip';
  const zlib = gzip ? (process.getBuiltinModule('node:zlib') as typeof Zlib) : undefined;
  const base = {
    protocol: url.protocol,
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port,
    path: url.pathname + url.search,
    method: 'POST',
  };
  const auth = url.username || url.password ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
  // Idle keep-alive sockets are unref'd (by the client, by the agent): they never keep a process alive.
  const origin: Http1Origin | undefined = secure ? undefined : createHttp1Origin({ host: base.hostname, port: Number(url.port || 80), auth, preconnected: options.preconnected });
  const http = secure ? (process.getBuiltinModule('node:https') as unknown as typeof Http) : undefined;
  let agent: Http.Agent | undefined = http && !options.agent ? new http.Agent({ keepAlive: true }) : undefined;
  let agentLoading: Promise<Http.Agent> | undefined;

  const post = (body: Uint8Array, timeoutMs: number, using: Http.Agent | undefined): Promise<OtlpResponse> =>
    new Promise((resolve) => {
      let settled = false;
      let abort: (() => void) | undefined;
      // One deadline for the whole request. (`req.setTimeout` is an idle timeout: a server that
      // trickles its answer would hold the export, and the exporter's concurrency slot, for ever.)
      const timer = setTimeout(() => {
        abort?.();
        finish({ status: 'retryable', error: new Error('Request timed out') });
      }, timeoutMs);
      timer.unref();
      const finish = (response: OtlpResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(response);
      };
      const headers: Record<string, string | number> = { ...options.headers, 'Content-Length': body.byteLength };
      if (gzip) headers['Content-Encoding'] = 'gzip';
      try {
        if (origin) {
          const exchange = origin.request(
            { method: 'POST', path: base.path, headers, body, maxBodyBytes: MAX_RESPONSE_BYTES, overflow: 'fail' },
            (error, res) => finish(error ? failedExchange(error, res) : answerOf(res as Http1Response)),
          );
          abort = () => exchange.abort();
          return;
        }
        const req = (http as typeof Http).request({ ...base, auth, agent: using, headers }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const answer = (): Answer => ({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            headers: { 'retry-after': res.headers['retry-after'] },
            body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
          });
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              finish(tooLarge());
              res.destroy();
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => finish(answerOf(answer())));
          res.on('error', (error) => finish(failedExchange(error, answer())));
        });
        abort = () => req.destroy();
        req.on('error', (error: NodeJS.ErrnoException) => finish(networkError(error)));
        req.end(body);
      } catch (error) {
        finish({ status: 'failure', error: error as Error });
      }
    });

  const withAgent = (body: Uint8Array, timeoutMs: number): Promise<OtlpResponse> => {
    if (origin || agent) return post(body, timeoutMs, agent);
    agentLoading ??= (options.agent as () => Promise<Http.Agent>)();
    return agentLoading.then(
      (loaded) => post(body, timeoutMs, (agent = loaded)),
      (error: unknown) => ({ status: 'failure', error: error as Error }) as const,
    );
  };

  return {
    send(body, timeoutMs) {
      if (!zlib) return withAgent(body, timeoutMs);
      return new Promise<Buffer | Error>((resolve) => zlib.gzip(body, (error, out) => resolve(error ?? out))).then((out) =>
        out instanceof Error ? { status: 'failure', error: out } : withAgent(out, timeoutMs),
      );
    },
    shutdown: () => (origin ? origin.close() : agent?.destroy()),
  };
}

/** What an answer is classified by: an `Http1Response`, or node:https's response read into the same shape. */
type Answer = Pick<Http1Response, 'status' | 'statusMessage' | 'body'> & { readonly headers: Readonly<Record<string, string | undefined>> };

/** A finished exchange (either client), as otlp-exporter-base answers it. */
function answerOf(res: Answer): OtlpResponse {
  const status = res.status;
  if (status > 0 && status <= 299) return { status: 'success', data: res.body };
  if (retryableStatus(status)) return { status: 'retryable', retryInMillis: retryAfterMs(res.headers['retry-after']) };
  return { status: 'failure', error: new OtlpHttpError(res.statusMessage, status || undefined, res.body.toString()) };
}

/** A failed exchange (either client): before an answer, a network error; after its head, as a response error. */
function failedExchange(error: Error, res: Answer | undefined): OtlpResponse {
  if (error instanceof Http1BodyTooLargeError) return tooLarge();
  if (!res) return networkError(error as NodeJS.ErrnoException);
  if (res.status > 0 && res.status <= 299) return { status: 'success', data: Buffer.alloc(0) };
  if (retryableStatus(res.status)) return { status: 'retryable', error, retryInMillis: retryAfterMs(res.headers['retry-after']) };
  return { status: 'failure', error };
}

function tooLarge(): OtlpResponse {
  return { status: 'failure', error: new Error(`OTLP export response body exceeded size limit of ${MAX_RESPONSE_BYTES} bytes`) };
}

function networkError(error: NodeJS.ErrnoException): OtlpResponse {
  return typeof error.code === 'string' && RETRYABLE_CODES.has(error.code) ? { status: 'retryable', error } : { status: 'failure', error };
}

function retryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/** `Retry-After` in ms, as otlp-exporter-base reads it (seconds or an HTTP date; -1 for "0 s"). */
function retryAfterMs(value: string | undefined): number | undefined {
  if (value == null) return undefined;
  const seconds = Number.parseInt(value, 10);
  if (Number.isInteger(seconds)) return seconds > 0 ? seconds * 1000 : -1;
  const delay = new Date(value).getTime() - Date.now();
  return delay >= 0 ? delay : 0;
}
