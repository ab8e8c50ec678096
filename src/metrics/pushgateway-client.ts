/**
 * HTTP to a Prometheus Pushgateway: PUT a group's exposition, DELETE the group.
 *
 * PUT, not POST: every push carries the environment's complete cumulative state, and PUT replaces
 * the whole group, so the group is always exactly what the environment last reported (a series
 * that is no longer reported disappears instead of lingering, as it would with POST).
 *
 * An `http:` gateway is reached through the small client of ../http1-client.ts (node:net): loading
 * and first running node:http's client is a large part of a cold start's export cost. An `https:`
 * one through node:https, from `process.getBuiltinModule`, not an ESM import (an ESM namespace of
 * `https` evaluates its lazy getters and loads undici, ≈ 20–40 ms measured here). One keep-alive
 * socket is reused across invocations; after a freeze it may have been closed by the server, which
 * fails fast and is what the single retry is for.
 */
import type * as Https from 'node:https';
import { createHttp1Origin, type Http1OriginOptions } from '../http1-client.ts';
import type { PushFailureReason } from './self-instruments.ts';

/** Where and as whom to push. */
export interface PushgatewayTarget {
  /** Base URL, no credentials, no trailing slash. */
  readonly url: string;
  readonly job: string;
  readonly instance: string;
  /** Extra grouping labels, in order. */
  readonly labels: Readonly<Record<string, string>>;
  /** `Authorization` header value; never logged. */
  readonly authorization: string | undefined;
}

/** `undefined` when the request succeeded. */
export type PushFailure = { readonly reason: PushFailureReason; readonly detail: string } | undefined;

/** One environment's connection to its Pushgateway group. */
export interface PushgatewayClient {
  /** The group's URL without credentials, for diagnostics. */
  readonly groupUrl: string;
  /** Send within `deadline` (a `performance.now()` time); one retry on a fast network error or 5xx. Never rejects. */
  send(method: 'PUT' | 'DELETE', body: string | Uint8Array | undefined, deadline: number): Promise<PushFailure>;
  /** Close idle sockets. */
  close(): void;
}

/** Below this much time left, a retry is not attempted. */
const MIN_RETRY_MS = 20;
/** How much of an error answer's body goes into the failure detail (the Pushgateway explains 400s there). */
const MAX_DETAIL_BYTES = 500;

/** `/metrics/job/<job>/instance/<instance>/<label>/<value>…`, with `@base64` for values the path cannot carry. */
export function groupingPath(target: Pick<PushgatewayTarget, 'job' | 'instance' | 'labels'>): string {
  const pairs: Array<[string, string]> = [['job', target.job], ['instance', target.instance], ...Object.entries(target.labels)];
  return `/metrics${pairs.map(([name, value]) => segment(name, value)).join('')}`;
}

function segment(name: string, value: string): string {
  // Per the Pushgateway's API: a value with a slash (or an empty one) is sent base64url-encoded.
  if (value === '' || value.includes('/')) return `/${name}@base64/${Buffer.from(value, 'utf8').toString('base64url') || '='}`;
  return `/${name}/${encodeURIComponent(value)}`;
}

/**
 * A client for the group of `target`, with its own keep-alive connections; `preconnected` hands
 * over a connection opened during init (../preconnect.ts).
 */
export function createPushgatewayClient(target: PushgatewayTarget, preconnected?: Http1OriginOptions['preconnected']): PushgatewayClient {
  const groupUrl = new URL(target.url + groupingPath(target));
  const secure = groupUrl.protocol === 'https:';
  const hostname = groupUrl.hostname.startsWith('[') ? groupUrl.hostname.slice(1, -1) : groupUrl.hostname;
  const path = groupUrl.pathname + groupUrl.search;
  // Idle keep-alive sockets are unref'd (by the client, by the agent): they never keep a process (or a test) alive.
  const origin = secure ? undefined : createHttp1Origin({ host: hostname, port: Number(groupUrl.port || 80), maxSockets: 2, preconnected });
  const https = secure ? (process.getBuiltinModule('node:https') as typeof Https) : undefined;
  const agent = https ? new https.Agent({ keepAlive: true, maxSockets: 2 }) : undefined;

  // Worked out once: a URL object per request costs a parse (`urlToHttpOptions`) every push.
  const base = { protocol: groupUrl.protocol, hostname, port: groupUrl.port, path, agent };
  const putHeaders: Record<string, string> = { 'user-agent': 'lambda-observe', 'content-type': 'text/plain; version=0.0.4; charset=utf-8' };
  const deleteHeaders: Record<string, string> = { 'user-agent': 'lambda-observe' };
  if (target.authorization) putHeaders.authorization = deleteHeaders.authorization = target.authorization;

  const attempt = (method: string, body: string | Uint8Array | undefined, timeoutMs: number): Promise<PushFailure> =>
    new Promise((resolve) => {
      let settled = false;
      let timedOut = false;
      // A plain timer that destroys the request, not an AbortController: a signal per request adds
      // its listeners to the request, the socket and the agent (≈ 15 µs a push, measured).
      const timer = setTimeout(() => {
        timedOut = true;
        abort?.();
        finish({ reason: 'timeout', detail: 'no answer within the flush budget' });
      }, Math.max(1, timeoutMs));
      timer.unref();
      const finish = (failure: PushFailure) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(failure);
      };
      const fail = (error: unknown) => finish(timedOut ? { reason: 'timeout', detail: 'no answer within the flush budget' } : networkFailure(error));
      let headers: Record<string, string | number> = deleteHeaders;
      if (body !== undefined) headers = { ...putHeaders, 'content-length': Buffer.byteLength(body) };
      let abort: (() => void) | undefined;
      const answered = (status: number, text: string): void => {
        if (status >= 200 && status < 300) return finish(undefined);
        finish({ reason: status >= 500 ? 'server_error' : 'rejected', detail: `HTTP ${status}${text ? `: ${text}` : ''}` });
      };
      try {
        if (origin) {
          // Enough bytes for MAX_DETAIL_BYTES characters of any UTF-8 text.
          const exchange = origin.request({ method, path, headers, body, maxBodyBytes: 4 * MAX_DETAIL_BYTES, overflow: 'truncate' }, (error, res) => {
            if (error || !res) return fail(error);
            answered(res.status, res.body.toString('utf8').slice(0, MAX_DETAIL_BYTES).trim());
          });
          abort = () => exchange.abort();
          return;
        }
        const req = (https as typeof Https).request({ ...base, method, headers }, (res) => {
          const status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (size < MAX_DETAIL_BYTES) chunks.push(chunk);
            size += chunk.length;
          });
          res.on('end', () => answered(status, Buffer.concat(chunks).toString('utf8').slice(0, MAX_DETAIL_BYTES).trim()));
          res.on('error', fail);
        });
        abort = () => req.destroy();
        req.on('error', fail);
        req.end(body);
      } catch (error) {
        fail(error);
      }
    });

  return {
    groupUrl: groupUrl.toString(),
    async send(method, body, deadline) {
      let failure = await attempt(method, body, deadline - performance.now());
      // A timeout is not retried: a slow gateway already had the whole budget. A refused or reset
      // connection (a keep-alive socket closed during a freeze) or a 5xx fails fast: try once more.
      if (failure && (failure.reason === 'network' || failure.reason === 'server_error') && deadline - performance.now() >= MIN_RETRY_MS) {
        failure = await attempt(method, body, deadline - performance.now());
      }
      return failure;
    },
    close: () => (origin ? origin.close() : agent?.destroy()),
  };
}

function networkFailure(error: unknown): PushFailure {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return { reason: 'network', detail: code ? `${code}: ${message}` : message };
}
