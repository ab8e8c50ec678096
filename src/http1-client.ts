/**
 * A small HTTP/1.1 client over node:net for the exporters' plain `http:` endpoints (the OTLP
 * collector, the Pushgateway): keep-alive connections to one origin, one exchange at a time on
 * each, the answer read by Content-Length, chunked encoding or until the server closes.
 *
 * Why not node:http: its client is most of the export cost of a cold start. Loading it (its client,
 * agent, server, incoming/outgoing modules and the llhttp parser) and running its request and
 * parser machinery for the first time cost a fresh process ≈ 3.5 ms more than this does for the
 * first request (a bare POST to a loopback server), on the first invocation's critical path. What
 * the exporters need of HTTP is narrow: a POST or PUT with a length, or a DELETE, and the status,
 * a header or two and a small body of the answer. `https:` endpoints still go through node:https
 * (TLS, and the client certificates of OTEL_EXPORTER_OTLP_*CERTIFICATE*).
 *
 * On the wire a request is what node:http with a keep-alive agent sends for the same call: the
 * caller's headers in order, then `Host` (and `Authorization: Basic` for URL credentials) unless
 * given, then `Connection: keep-alive`. Header names and values are checked as node:http checks
 * them (a CR or LF in a value would let configuration inject headers). No timers here: callers own
 * their deadlines and abort.
 */
import type * as Net from 'node:net';

export interface Http1Response {
  readonly status: number;
  readonly statusMessage: string;
  /** Lower-case names; the values of a repeated header joined with ', '. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface Http1Request {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | number>>;
  readonly body?: Uint8Array | string;
  /** Answer body bytes kept. */
  readonly maxBodyBytes: number;
  /** Past `maxBodyBytes`: fail the exchange (`Http1BodyTooLargeError`, the connection is dropped), or read on and keep only the start. */
  readonly overflow: 'fail' | 'truncate';
}

/**
 * Called once, unless the exchange was aborted. On failure `response` is there when the status line
 * and headers had arrived (with the body so far).
 */
export type Http1Callback = (error: Error | undefined, response: Http1Response | undefined) => void;

export interface Http1Origin {
  request(request: Http1Request, done: Http1Callback): Http1Exchange;
  /** Close every connection (idle or not). */
  close(): void;
}

export interface Http1Exchange {
  /** Give up: the connection is destroyed, `done` is not called. */
  abort(): void;
}

export interface Http1OriginOptions {
  /** Host name or IP address (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
  /** Connections open at once; further requests wait for one. Default: no limit. */
  readonly maxSockets?: number;
  /** `user:password` of the URL, sent as Basic authorization unless the request has an Authorization header. */
  readonly auth?: string;
  /**
   * A connection to this origin opened ahead of time (../preconnect.ts `takePreconnected`), used by
   * the first connect instead of a new one. Passed in rather than imported: this module is a lazy
   * chunk, and an import of the static graph's preconnect module would give it a chunk of its own.
   */
  readonly preconnected?: (host: string, port: number) => Net.Socket | undefined;
}

/** The answer was longer than the request allowed. */
export class Http1BodyTooLargeError extends Error {
  override readonly name = 'Http1BodyTooLargeError';
}

/** node:http's default limit on the size of an answer's head. */
const MAX_HEAD_BYTES = 16 * 1024;
/** As node:http: a header name is a token, a value has no control characters but tab. */
const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

interface Call {
  readonly request: Http1Request;
  readonly done: Http1Callback;
  settled: boolean;
  connection: Connection | undefined;
  /** Sent again on a new connection after its first one turned out to be closed. */
  retried: boolean;
}

interface Connection {
  readonly socket: Net.Socket;
  call: Call | undefined;
  reader: ResponseReader | undefined;
  /** Opened before this exchange (preconnected, or kept alive from an earlier one): it may have been closed meanwhile. */
  reused: boolean;
}

/** How a connection the server had already closed fails a request written to it. */
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export function createHttp1Origin(options: Http1OriginOptions): Http1Origin {
  const net = process.getBuiltinModule('node:net') as typeof Net;
  const max = options.maxSockets ?? Number.POSITIVE_INFINITY;
  const idle: Connection[] = [];
  const all = new Set<Connection>();
  const queue: Call[] = [];
  const hostHeader = `${options.host.includes(':') ? `[${options.host}]` : options.host}${options.port === 80 ? '' : `:${options.port}`}`;
  const basic = options.auth === undefined ? undefined : `Basic ${Buffer.from(options.auth).toString('base64')}`;

  const settle = (call: Call, error: Error | undefined, response: Http1Response | undefined): void => {
    if (call.settled) return;
    call.settled = true;
    call.done(error, response);
  };

  const discard = (connection: Connection): void => {
    all.delete(connection);
    const at = idle.indexOf(connection);
    if (at >= 0) idle.splice(at, 1);
    connection.socket.destroy();
  };

  const drop = (connection: Connection, error?: Error): void => {
    discard(connection);
    const call = connection.call;
    connection.call = undefined;
    if (call && !call.settled) {
      const lost = error === undefined || CONNECTION_LOST.has((error as NodeJS.ErrnoException).code ?? '');
      if (lost && connection.reused && !call.retried && !connection.reader?.started) {
        // A kept-alive or preconnected connection the server closed while it sat idle (a keep-alive
        // timeout, often during a freeze): nothing of an answer came, so the request goes once more
        // on a new connection, as browsers and undici do, instead of failing.
        call.retried = true;
        call.connection = undefined;
        queue.unshift(call);
      } else {
        settle(call, error ?? hangUp(), connection.reader?.partial());
      }
    }
    dispatch();
  };

  const open = (fresh: boolean): Connection => {
    const preconnected = fresh ? undefined : options.preconnected?.(options.host, options.port);
    const socket =
      preconnected ?? net.connect({ host: options.host, port: options.port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 1000 });
    const connection: Connection = { socket, call: undefined, reader: undefined, reused: preconnected !== undefined };
    all.add(connection);
    socket.on('data', (chunk: Buffer) => {
      const reader = connection.reader;
      // Bytes with no exchange waiting for them: the server is confused; never reuse the connection.
      if (!reader) return drop(connection);
      reader.push(chunk);
    });
    socket.on('error', (error: Error) => drop(connection, error));
    socket.on('end', () => {
      // An answer read until close is complete now; anything else ends with a hang-up.
      const reader = connection.reader;
      if (reader?.untilClose && connection.call) {
        const call = connection.call;
        connection.call = undefined;
        settle(call, undefined, reader.finishAtClose());
      }
      drop(connection);
    });
    socket.on('close', () => drop(connection));
    return connection;
  };

  const release = (connection: Connection, reusable: boolean): void => {
    connection.call = undefined;
    connection.reader = undefined;
    if (!reusable || !all.has(connection)) {
      drop(connection);
      return;
    }
    // An idle connection never keeps the process alive.
    connection.reused = true;
    connection.socket.unref();
    idle.push(connection);
    dispatch();
  };

  const start = (connection: Connection, call: Call): void => {
    const { request } = call;
    connection.call = call;
    call.connection = connection;
    connection.socket.ref();
    connection.reader = new ResponseReader(request, (error, response, reusable) => {
      if (connection.call !== call) return;
      if (error) {
        if (error instanceof Http1BodyTooLargeError) connection.reader = undefined;
        drop(connection, error);
        return;
      }
      settle(call, undefined, response);
      release(connection, reusable);
    });
    let head: string;
    try {
      head = requestHead(request, hostHeader, basic);
    } catch (error) {
      connection.call = undefined;
      connection.reader = undefined;
      settle(call, error as Error, undefined);
      release(connection, true);
      return;
    }
    const socket = connection.socket;
    socket.cork();
    socket.write(head, 'latin1');
    if (request.body !== undefined && request.body.length > 0) socket.write(request.body);
    socket.uncork();
  };

  const dispatch = (): void => {
    while (queue.length > 0) {
      let connection: Connection | undefined;
      if ((queue[0] as Call).retried) {
        // The idle connections were most likely closed the same way: a new one, making room if need be.
        while (all.size >= max && idle.length > 0) discard(idle.pop() as Connection);
        connection = all.size < max ? open(true) : undefined;
      } else {
        connection = idle.pop() ?? (all.size < max ? open(false) : undefined);
      }
      if (!connection) return;
      start(connection, queue.shift() as Call);
    }
  };

  return {
    request(request, done) {
      const call: Call = { request, done, settled: false, connection: undefined, retried: false };
      queue.push(call);
      dispatch();
      return {
        abort() {
          if (call.settled) return;
          call.settled = true;
          const waiting = queue.indexOf(call);
          if (waiting >= 0) queue.splice(waiting, 1);
          else if (call.connection && call.connection.call === call) drop(call.connection);
        },
      };
    },
    close() {
      queue.length = 0;
      for (const connection of [...all]) drop(connection, new Error('connection closed'));
    },
  };
}

/** What node:http reports when the server closes before its answer is complete. */
function hangUp(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

function requestHead(request: Http1Request, hostHeader: string, basic: string | undefined): string {
  if (!TOKEN.test(request.method)) throw new TypeError(`invalid HTTP method ${JSON.stringify(request.method)}`);
  if (/[^\u0021-\u00ff]/.test(request.path)) throw new TypeError('Request path contains unescaped characters');
  let head = `${request.method} ${request.path} HTTP/1.1\r\n`;
  let host = false;
  let authorization = false;
  let length = false;
  for (const name of Object.keys(request.headers)) {
    const value = String(request.headers[name]);
    if (!TOKEN.test(name)) throw new TypeError(`header name must be a valid HTTP token ["${name}"]`);
    if (INVALID_VALUE.test(value)) throw new TypeError(`invalid character in header content ["${name}"]`);
    const lower = name.toLowerCase();
    if (lower === 'host') host = true;
    else if (lower === 'authorization') authorization = true;
    else if (lower === 'content-length') length = true;
    head += `${name}: ${value}\r\n`;
  }
  if (!host) head += `Host: ${hostHeader}\r\n`;
  if (basic && !authorization) head += `Authorization: ${basic}\r\n`;
  if (!length && request.body !== undefined && request.body.length > 0) {
    head += `Content-Length: ${typeof request.body === 'string' ? Buffer.byteLength(request.body) : request.body.byteLength}\r\n`;
  }
  return `${head}Connection: keep-alive\r\n\r\n`;
}

type ReaderCallback = (error: Error | undefined, response: Http1Response | undefined, reusable: boolean) => void;

/** One answer, fed the socket's bytes: head, then a body by length, chunks or until close. */
class ResponseReader {
  readonly #request: Http1Request;
  readonly #done: ReaderCallback;
  #buffer: Buffer | undefined;
  #status = 0;
  #statusMessage = '';
  #headers: Record<string, string> = {};
  #keepAlive = true;
  /** Body mode once the head is read: bytes left (length), chunked, or until close. */
  #mode: 'head' | 'length' | 'chunked' | 'close' = 'head';
  #left = 0;
  /** Chunked: reading a size line, chunk data, the CRLF after it, or the trailers. */
  #chunkState: 'size' | 'data' | 'data-end' | 'trailers' = 'size';
  readonly #body: Buffer[] = [];
  #bodyBytes = 0;
  #finished = false;
  #started = false;

  constructor(request: Http1Request, done: ReaderCallback) {
    this.#request = request;
    this.#done = done;
  }

  get untilClose(): boolean {
    return this.#mode === 'close';
  }

  /** Whether any byte of the answer has come. */
  get started(): boolean {
    return this.#started;
  }

  push(chunk: Buffer): void {
    if (this.#finished) return;
    this.#started = true;
    let data = this.#buffer ? Buffer.concat([this.#buffer, chunk]) : chunk;
    this.#buffer = undefined;
    try {
      while (!this.#finished && data.length > 0) {
        const used = this.#step(data);
        if (used < 0) {
          // Not enough bytes for the next piece: keep them for the next chunk.
          this.#buffer = data;
          return;
        }
        data = data.subarray(used);
      }
    } catch (error) {
      this.#finished = true;
      this.#done(error as Error, undefined, false);
      return;
    }
    if (!this.#finished) return;
    // Bytes after a complete answer (no request asked for them): the connection is not reused.
    if (data.length > 0) this.#keepAlive = false;
    this.#done(undefined, this.#response(), this.#keepAlive);
  }

  /** The head and the body so far, for a failure after the head. */
  partial(): Http1Response | undefined {
    return this.#mode === 'head' ? undefined : this.#response();
  }

  finishAtClose(): Http1Response {
    this.#finished = true;
    return this.#response();
  }

  #response(): Http1Response {
    const body = this.#body.length === 1 ? (this.#body[0] as Buffer) : Buffer.concat(this.#body);
    return { status: this.#status, statusMessage: this.#statusMessage, headers: this.#headers, body };
  }

  /** Consume what the current state needs from `data`; how many bytes were used, or -1 to wait for more. */
  #step(data: Buffer): number {
    switch (this.#mode) {
      case 'head':
        return this.#readHead(data);
      case 'length': {
        const take = Math.min(this.#left, data.length);
        this.#keep(data.subarray(0, take));
        this.#left -= take;
        if (this.#left === 0) this.#complete();
        return take;
      }
      case 'close':
        this.#keep(data);
        return data.length;
      case 'chunked':
        return this.#readChunked(data);
    }
  }

  #readHead(data: Buffer): number {
    const end = data.indexOf(HEAD_END);
    if (end < 0) {
      if (data.length > MAX_HEAD_BYTES) throw parseError('Header overflow');
      return -1;
    }
    if (end > MAX_HEAD_BYTES) throw parseError('Header overflow');
    const lines = data.subarray(0, end).toString('latin1').split('\r\n');
    const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
    if (!statusLine) throw parseError('Invalid status line');
    const status = Number(statusLine[2]);
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(':');
      if (colon <= 0) throw parseError('Invalid header line');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const used = end + HEAD_END.length;
    // 100 Continue and other interim answers come before the real one.
    if (status >= 100 && status < 200) {
      if (status === 101) throw parseError('Unexpected protocol switch');
      return used;
    }
    this.#status = status;
    this.#statusMessage = statusLine[3] ?? '';
    this.#headers = headers;
    const connection = (headers.connection ?? '').toLowerCase();
    this.#keepAlive = statusLine[1] === '1' ? !/(^|,)\s*close\s*(,|$)/.test(connection) : /(^|,)\s*keep-alive\s*(,|$)/.test(connection);
    const encoding = headers['transfer-encoding'];
    if (status === 204 || status === 304 || this.#request.method === 'HEAD') {
      this.#mode = 'length';
      this.#complete();
    } else if (encoding !== undefined && /(^|,)\s*chunked\s*$/i.test(encoding)) {
      this.#mode = 'chunked';
    } else if (headers['content-length'] !== undefined) {
      const length = headers['content-length'];
      if (!/^\d+$/.test(length)) throw parseError('Invalid Content-Length');
      this.#mode = 'length';
      this.#left = Number(length);
      if (this.#left === 0) this.#complete();
    } else {
      this.#mode = 'close';
      this.#keepAlive = false;
    }
    return used;
  }

  #readChunked(data: Buffer): number {
    switch (this.#chunkState) {
      case 'size': {
        const end = data.indexOf(CRLF);
        if (end < 0) {
          if (data.length > 1024) throw parseError('Invalid chunk size');
          return -1;
        }
        const text = data.subarray(0, end).toString('latin1');
        const size = /^([0-9a-fA-F]+)[ \t]*(;.*)?$/.exec(text);
        if (!size) throw parseError('Invalid chunk size');
        this.#left = Number.parseInt(size[1] as string, 16);
        this.#chunkState = this.#left === 0 ? 'trailers' : 'data';
        return end + CRLF.length;
      }
      case 'data': {
        const take = Math.min(this.#left, data.length);
        this.#keep(data.subarray(0, take));
        this.#left -= take;
        if (this.#left === 0) this.#chunkState = 'data-end';
        return take;
      }
      case 'data-end': {
        if (data.length < 2) return -1;
        if (data[0] !== 13 || data[1] !== 10) throw parseError('Invalid chunk end');
        this.#chunkState = 'size';
        return 2;
      }
      case 'trailers': {
        const end = data.indexOf(CRLF);
        if (end < 0) {
          if (data.length > MAX_HEAD_BYTES) throw parseError('Header overflow');
          return -1;
        }
        // An empty line ends the trailers (and the answer); trailer fields are ignored.
        if (end === 0) this.#complete();
        return end + CRLF.length;
      }
    }
  }

  #keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const room = this.#request.maxBodyBytes - this.#bodyBytes;
    if (bytes.length > room) {
      if (this.#request.overflow === 'fail') throw new Http1BodyTooLargeError(`response body exceeded ${this.#request.maxBodyBytes} bytes`);
      if (room <= 0) return;
      bytes = bytes.subarray(0, room);
    }
    // A copy: the socket's chunk may be a slice of a larger pooled buffer.
    this.#body.push(Buffer.from(bytes));
    this.#bodyBytes += bytes.length;
  }

  #complete(): void {
    this.#finished = true;
  }
}

function parseError(message: string): Error {
  return Object.assign(new Error(`Parse Error: ${message}`), { code: 'HPE_INVALID_RESPONSE' });
}

