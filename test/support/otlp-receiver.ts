/**
 * A loopback stand-in for an OTLP/HTTP trace receiver (Jaeger's, or an OTel Collector's), for
 * tests: no Jaeger/Collector binary can run here (see /work/shared/design/environment.md).
 *
 * It accepts what those receivers accept on `POST /v1/traces` — OTLP/JSON or OTLP/protobuf,
 * optionally gzip-compressed — decodes both into one normalized shape, and records every request
 * as it arrived so a test can check what an exporter really sent. `/v1/metrics` and `/v1/logs`
 * are accepted and kept apart from traces (decoded only when JSON: no metrics/logs schema here).
 *
 * A test picks how the receiver answers (see `Behaviour`) to watch an exporter cope with a
 * refusing, failing, slow or silent backend.
 *
 * The first half of the file is the backend-agnostic loopback server (behaviours, recording,
 * waiting, closing), which zipkin-receiver.ts reuses.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { decodeTraceRequest, encodeEmptyExportResponse, encodeRpcStatus } from './otlp-proto.ts';

// ───────────────────────────── Loopback server, shared by the receivers ─────────────────────────────

/**
 * How the receiver answers:
 * - 'ok': decode, store, answer success;
 * - 'refuse': 400 without storing (a backend rejecting the payload: not retryable);
 * - 'error': `errorStatus` (503 by default, which OTLP exporters retry; 500 they do not);
 * - 'slow': like 'ok' but answers after `slowMs`;
 * - 'blackhole': reads the request and never answers (a backend that hangs).
 */
export type Behaviour = 'ok' | 'refuse' | 'error' | 'slow' | 'blackhole';

export interface BehaviourOptions {
  /** Default 'ok'. */
  behaviour?: Behaviour;
  /** Status answered in 'error'. Default 503. */
  errorStatus?: number;
  /** Delay of 'slow' answers, in ms. Default 1000. */
  slowMs?: number;
}

type BehaviourSettings = Required<BehaviourOptions>;

/** One request as it arrived. */
export interface ReceivedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Media type without parameters, lower-cased; '' when the header is absent. */
  contentType: string;
  /** Content-Encoding as sent, lower-cased; 'identity' when absent. */
  encoding: string;
  /** Body length on the wire (compressed, when it was). */
  bytes: number;
  /** Body after decompression. */
  body: Buffer;
  /** Behaviour in force when the request arrived. */
  behaviour: Behaviour;
  /** Status answered; undefined until answered, and forever for 'blackhole'. */
  status?: number;
  /** Why the request was refused as invalid, worded like the real backend's error. */
  rejection?: string;
}

/** Thrown by a backend for input the real backend refuses; becomes the answer's status. */
export class Rejection extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface Reply {
  status: number;
  contentType?: string;
  body?: string | Uint8Array;
}

/** What makes a loopback server a particular backend. */
export interface Backend {
  /** Decodes, validates and stores a request; throws `Rejection` for what the real one refuses. */
  accept(request: ReceivedRequest): Reply;
  /** The answer this backend gives with a failure status. */
  failure(request: ReceivedRequest, status: number, message: string): Reply;
  /** Forgets everything stored. */
  reset(): void;
}

export interface LoopbackReceiver {
  /** Base URL, e.g. http://127.0.0.1:PORT (no trailing slash). */
  readonly url: string;
  requests(): ReceivedRequest[];
  setBehaviour(behaviour: Behaviour, tuning?: Omit<BehaviourOptions, 'behaviour'>): void;
  /** Resolves with `check()`'s first defined result, re-checked after every request. */
  waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T>;
  /** Resolves once `count` requests arrived (answered or not, accepted or not). Default 2 s. */
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Forgets requests and stored data, and restores the behaviour the receiver started with. */
  reset(): void;
  /** Stops listening and destroys every connection, hung ones included. Idempotent. */
  close(): Promise<void>;
}

interface Waiter {
  attempt(): void;
  fail(error: Error): void;
}

const gunzipAsync = promisify(gunzip);

function settingsFrom(options: BehaviourOptions): BehaviourSettings {
  return {
    behaviour: options.behaviour ?? 'ok',
    errorStatus: options.errorStatus ?? 503,
    slowMs: options.slowMs ?? 1000,
  };
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function recordOf(req: IncomingMessage, raw: Buffer, behaviour: Behaviour): ReceivedRequest {
  return {
    method: req.method ?? '',
    path: new URL(req.url ?? '/', 'http://loopback').pathname,
    headers: req.headers,
    contentType: mediaType(req.headers['content-type']),
    encoding: (req.headers['content-encoding'] ?? 'identity').toLowerCase(),
    bytes: raw.length,
    body: raw,
    behaviour,
  };
}

async function decompress(raw: Buffer, encoding: string): Promise<Buffer> {
  if (encoding === 'identity') return raw;
  if (encoding !== 'gzip') throw new Rejection(400, `unsupported Content-Encoding "${encoding}"`);
  try {
    return await gunzipAsync(raw);
  } catch (error) {
    throw new Rejection(400, `invalid gzip body: ${(error as Error).message}`);
  }
}

function send(res: ServerResponse, record: ReceivedRequest, reply: Reply): void {
  record.status = reply.status;
  const headers = reply.contentType === undefined ? {} : { 'content-type': reply.contentType };
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

function summarize(requests: ReceivedRequest[]): string {
  const lines = requests.map(
    (r) => `${r.method} ${r.path} [${r.contentType || 'no content-type'}, ${r.encoding}] → ` +
      `${r.status ?? 'no answer'}${r.rejection === undefined ? '' : ` (${r.rejection})`}`,
  );
  return `${requests.length} request(s) received${lines.length > 0 ? ':\n  ' : ''}${lines.join('\n  ')}`;
}

/** Starts a loopback HTTP server on 127.0.0.1 and an ephemeral port that behaves as `backend`. */
export async function startLoopbackReceiver(
  backend: Backend,
  options: BehaviourOptions = {},
): Promise<LoopbackReceiver> {
  const initial = settingsFrom(options);
  let settings = initial;
  let recorded: ReceivedRequest[] = [];
  const waiters = new Set<Waiter>();
  const slowTimers = new Set<NodeJS.Timeout>();
  let closing: Promise<void> | undefined;

  const notify = (): void => {
    for (const waiter of [...waiters]) waiter.attempt();
  };

  const answerAsBehaviour = (res: ServerResponse, record: ReceivedRequest, now: BehaviourSettings): void => {
    switch (now.behaviour) {
      case 'blackhole':
        return; // the socket stays open until the client gives up or close() destroys it
      case 'refuse':
        return send(res, record, backend.failure(record, 400, 'refused by the test receiver'));
      case 'error':
        return send(res, record, backend.failure(record, now.errorStatus, 'failing on purpose (test receiver)'));
      case 'ok':
        return send(res, record, backend.accept(record));
      case 'slow': {
        const reply = backend.accept(record);
        const timer = setTimeout(() => {
          slowTimers.delete(timer);
          send(res, record, reply);
          notify();
        }, now.slowMs);
        slowTimers.add(timer);
        return;
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const now = settings; // the behaviour is the one in force when the request arrived
    const raw = await readBody(req);
    const record = recordOf(req, raw, now.behaviour);
    recorded.push(record);
    try {
      if (record.method !== 'POST') throw new Rejection(405, `method ${record.method} not allowed`);
      record.body = await decompress(raw, record.encoding);
      answerAsBehaviour(res, record, now);
    } catch (error) {
      const rejection = error instanceof Rejection
        ? error
        : new Rejection(500, `test receiver bug: ${(error as Error).stack ?? String(error)}`);
      record.rejection = rejection.message;
      send(res, record, backend.failure(record, rejection.status, rejection.message));
    }
    notify();
  };

  const server = createServer((req, res) => {
    // A client that aborts mid-body only loses its own request; it must not crash the test run.
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const waitFor = <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${summarize(recorded)}`));
      }, timeoutMs);
      const waiter: Waiter = {
        attempt() {
          const value = check();
          if (value === undefined) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(value);
        },
        fail(error) {
          clearTimeout(timer);
          waiters.delete(waiter);
          reject(error);
        },
      };
      waiters.add(waiter);
      waiter.attempt();
    });

  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      for (const timer of slowTimers) clearTimeout(timer);
      slowTimers.clear();
      for (const waiter of [...waiters]) waiter.fail(new Error('receiver closed while waiting'));
      server.close(() => resolve());
      // close() alone waits for open connections: a blackholed request or an exporter's idle
      // keep-alive socket would hold it (and the test process) open indefinitely.
      server.closeAllConnections();
    });
    return closing;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => [...recorded],
    setBehaviour(behaviour, tuning = {}) {
      settings = { ...settings, ...tuning, behaviour };
    },
    waitFor,
    waitForRequests(count, timeoutMs = 2000) {
      const enough = (): ReceivedRequest[] | undefined => (recorded.length >= count ? [...recorded] : undefined);
      return waitFor(enough, timeoutMs, `${count} request(s)`);
    },
    reset() {
      recorded = [];
      settings = initial;
      backend.reset();
    },
    close,
  };
}

// ───────────────────────────── OTLP: normalized shape ─────────────────────────────

export type AttributeValue =
  | string
  | boolean
  | number
  | bigint
  | Uint8Array
  | null
  | AttributeValue[]
  | { [key: string]: AttributeValue };

/**
 * Attributes flattened from OTLP KeyValue/AnyValue. Integers are `bigint` (OTLP ints are int64,
 * and it keeps `3n` apart from the double `3`), doubles `number`, bytes `Uint8Array`, arrays
 * arrays, kvlists plain objects, an empty AnyValue `null`.
 */
export type Attributes = Record<string, AttributeValue>;

export interface OtlpScope {
  name: string;
  version: string;
}

export interface OtlpEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Attributes;
}

export interface OtlpLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: Attributes;
  /** W3C trace flags in the low byte; 0x100 "has is_remote", 0x200 "is_remote". */
  flags: number;
}

export interface OtlpStatus {
  /** 0 unset, 1 ok, 2 error. */
  code: number;
  message: string;
}

export interface OtlpSpan {
  /** 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits. */
  spanId: string;
  /** 16 lower-case hex digits, or '' for a root span. */
  parentSpanId: string;
  traceState: string;
  flags: number;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  events: OtlpEvent[];
  links: OtlpLink[];
  status: OtlpStatus;
}

/** The spans of one instrumentation scope of one resource, as one request carried them. */
export interface OtlpScopeSpans {
  resource: Attributes;
  scope: OtlpScope;
  spans: OtlpSpan[];
}

/** A span with the resource and scope it came with. */
export interface ReceivedSpan extends OtlpSpan {
  resource: Attributes;
  scope: OtlpScope;
}

// ───────────────────────────── OTLP: decoding both encodings ─────────────────────────────

type Fields = Record<string, unknown>;

const SPAN_KINDS = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

/**
 * Reads a field by its lowerCamelCase name, or its proto snake_case name: OTLP/JSON specifies the
 * former, but the Collector (so Jaeger) also accepts the latter, and so do we.
 */
function field(fields: Fields, camelName: string): unknown {
  return fields[camelName] ?? fields[camelName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

function objectOf(value: unknown, what: string): Fields {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Rejection(400, `${what}: expected an object`);
  return value as Fields;
}

function listOf(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Rejection(400, `${what}: expected an array`);
  return value;
}

function stringOf(value: unknown, what: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new Rejection(400, `${what}: expected a string`);
  return value;
}

/** int64/fixed64: JSON may carry them as numbers or decimal strings; protobufjs gives strings. */
function int64Of(value: unknown, what: string): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new Rejection(400, `${what}: not a 64-bit integer: ${JSON.stringify(value)}`);
}

/** JSON may spell non-finite doubles as "NaN", "Infinity", "-Infinity". */
function doubleOf(value: unknown, what: string): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
  throw new Rejection(400, `${what}: not a double: ${JSON.stringify(value)}`);
}

/** Enums: OTLP/JSON sends integers, but the names are accepted too. */
function enumOf(value: unknown, names: string[], what: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && names.includes(value)) return names.indexOf(value);
  throw new Rejection(400, `${what}: not an enum value: ${JSON.stringify(value)}`);
}

/**
 * A trace/span id: bytes in protobuf, hex in OTLP/JSON (not base64, unlike generic proto3 JSON).
 * The wrong length is refused, as the Collector's decoder does. '' when absent.
 */
function optionalIdOf(value: unknown, byteLength: number, what: string): string {
  if (value === undefined || value === null) return '';
  let hex: string | undefined;
  if (value instanceof Uint8Array) hex = Buffer.from(value).toString('hex');
  else if (typeof value === 'string' && /^[0-9a-fA-F]*$/.test(value)) hex = value.toLowerCase();
  if (hex === '') return '';
  if (hex === undefined || hex.length !== byteLength * 2) {
    const shown = value instanceof Uint8Array ? `${value.length} bytes` : JSON.stringify(value);
    throw new Rejection(400, `${what}: expected ${byteLength} bytes (${byteLength * 2} hex digits), got ${shown}`);
  }
  return hex;
}

/** Required ids: a span without them cannot be stored or found by a backend. */
function idOf(value: unknown, byteLength: number, what: string): string {
  const hex = optionalIdOf(value, byteLength, what);
  if (hex === '' || /^0+$/.test(hex)) throw new Rejection(400, `${what}: missing or all zeros`);
  return hex;
}

function bytesOf(value: unknown, what: string): Uint8Array {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value === 'string') return Buffer.from(value, 'base64'); // JSON carries bytes as base64
  throw new Rejection(400, `${what}: expected bytes`);
}

function anyValueOf(value: unknown, what: string): AttributeValue {
  const any = objectOf(value, what);
  const present = (name: string): boolean => field(any, name) !== undefined && field(any, name) !== null;
  if (present('stringValue')) return stringOf(field(any, 'stringValue'), what);
  if (present('boolValue')) {
    const flag = field(any, 'boolValue');
    if (typeof flag !== 'boolean') throw new Rejection(400, `${what}: boolValue must be a boolean`);
    return flag;
  }
  if (present('intValue')) return int64Of(field(any, 'intValue'), what);
  if (present('doubleValue')) return doubleOf(field(any, 'doubleValue'), what);
  if (present('arrayValue')) {
    const values = field(objectOf(field(any, 'arrayValue'), what), 'values');
    return listOf(values, what).map((item, i) => anyValueOf(item, `${what}[${i}]`));
  }
  if (present('kvlistValue')) return attributesOf(field(objectOf(field(any, 'kvlistValue'), what), 'values'), what);
  if (present('bytesValue')) return bytesOf(field(any, 'bytesValue'), what);
  return null;
}

function attributesOf(value: unknown, what: string): Attributes {
  const entries = listOf(value, what).map((item): [string, AttributeValue] => {
    const keyValue = objectOf(item, what);
    const key = stringOf(field(keyValue, 'key'), `${what} key`);
    return [key, anyValueOf(field(keyValue, 'value'), `${what}["${key}"]`)];
  });
  return Object.fromEntries(entries);
}

function eventOf(value: unknown): OtlpEvent {
  const event = objectOf(value, 'event');
  return {
    name: stringOf(field(event, 'name'), 'event.name'),
    timeUnixNano: int64Of(field(event, 'timeUnixNano'), 'event.timeUnixNano'),
    attributes: attributesOf(field(event, 'attributes'), 'event.attributes'),
  };
}

function linkOf(value: unknown): OtlpLink {
  const link = objectOf(value, 'link');
  return {
    traceId: idOf(field(link, 'traceId'), 16, 'link.traceId'),
    spanId: idOf(field(link, 'spanId'), 8, 'link.spanId'),
    traceState: stringOf(field(link, 'traceState'), 'link.traceState'),
    attributes: attributesOf(field(link, 'attributes'), 'link.attributes'),
    flags: Number(field(link, 'flags') ?? 0),
  };
}

function statusOf(value: unknown): OtlpStatus {
  const status = objectOf(value, 'status');
  return {
    code: enumOf(field(status, 'code'), STATUS_CODES, 'status.code'),
    message: stringOf(field(status, 'message'), 'status.message'),
  };
}

function spanOf(value: unknown): OtlpSpan {
  const span = objectOf(value, 'span');
  return {
    traceId: idOf(field(span, 'traceId'), 16, 'span.traceId'),
    spanId: idOf(field(span, 'spanId'), 8, 'span.spanId'),
    parentSpanId: optionalIdOf(field(span, 'parentSpanId'), 8, 'span.parentSpanId'),
    traceState: stringOf(field(span, 'traceState'), 'span.traceState'),
    flags: Number(field(span, 'flags') ?? 0),
    name: stringOf(field(span, 'name'), 'span.name'),
    kind: enumOf(field(span, 'kind'), SPAN_KINDS, 'span.kind'),
    startTimeUnixNano: int64Of(field(span, 'startTimeUnixNano'), 'span.startTimeUnixNano'),
    endTimeUnixNano: int64Of(field(span, 'endTimeUnixNano'), 'span.endTimeUnixNano'),
    attributes: attributesOf(field(span, 'attributes'), 'span.attributes'),
    events: listOf(field(span, 'events'), 'span.events').map(eventOf),
    links: listOf(field(span, 'links'), 'span.links').map(linkOf),
    status: statusOf(field(span, 'status')),
  };
}

function scopeOf(value: unknown): OtlpScope {
  const scope = objectOf(value, 'scope');
  return {
    name: stringOf(field(scope, 'name'), 'scope.name'),
    version: stringOf(field(scope, 'version'), 'scope.version'),
  };
}

/** Normalizes an ExportTraceServiceRequest, decoded from either encoding. */
export function normalizeTraceRequest(message: unknown): OtlpScopeSpans[] {
  const batches: OtlpScopeSpans[] = [];
  for (const item of listOf(field(objectOf(message, 'request'), 'resourceSpans'), 'resourceSpans')) {
    const resourceSpans = objectOf(item, 'resourceSpans');
    const resource = objectOf(field(resourceSpans, 'resource'), 'resource');
    const attributes = attributesOf(field(resource, 'attributes'), 'resource.attributes');
    for (const scoped of listOf(field(resourceSpans, 'scopeSpans'), 'scopeSpans')) {
      const scopeSpans = objectOf(scoped, 'scopeSpans');
      batches.push({
        resource: attributes,
        scope: scopeOf(field(scopeSpans, 'scope')),
        spans: listOf(field(scopeSpans, 'spans'), 'spans').map(spanOf),
      });
    }
  }
  return batches;
}

// ───────────────────────────── OTLP: the receiver ─────────────────────────────

export type OtlpSignal = 'traces' | 'metrics' | 'logs';

const SIGNAL_PATHS: Record<string, OtlpSignal> = {
  '/v1/traces': 'traces',
  '/v1/metrics': 'metrics',
  '/v1/logs': 'logs',
};

const JSON_TYPE = 'application/json';
const PROTOBUF_TYPE = 'application/x-protobuf';

/** gRPC status codes an OTLP/HTTP server puts in its error body, by HTTP status. */
const RPC_CODES: Record<number, number> = { 400: 3, 404: 5, 405: 12, 415: 3, 429: 8, 500: 13, 502: 14, 503: 14, 504: 14 };

export interface OtlpReceiver {
  /** Base URL, e.g. http://127.0.0.1:PORT. */
  readonly url: string;
  /** `${url}/v1/traces`, what an OTLP trace exporter's `url` option wants. */
  readonly tracesUrl: string;
  /** Every accepted span, in arrival order, with its resource and scope. */
  spans(): ReceivedSpan[];
  /** Accepted spans as the requests grouped them. */
  batches(): OtlpScopeSpans[];
  /** Decoded bodies of accepted requests for a signal (protobuf metrics/logs stay raw bytes). */
  payloads(signal: OtlpSignal): unknown[];
  /** Resolves once at least `count` spans were accepted; rejects after `timeoutMs`. */
  waitForSpans(count: number, timeoutMs?: number): Promise<ReceivedSpan[]>;
  requests(): ReceivedRequest[];
  /** Resolves once `count` requests arrived (answered or not, accepted or not). */
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  setBehaviour(behaviour: Behaviour, tuning?: Omit<BehaviourOptions, 'behaviour'>): void;
  reset(): void;
  close(): Promise<void>;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new Rejection(400, `invalid JSON: ${(error as Error).message}`);
  }
}

function decodeProtobufTraces(body: Buffer): unknown {
  try {
    return decodeTraceRequest(body);
  } catch (error) {
    throw new Rejection(400, `invalid protobuf: ${(error as Error).message}`);
  }
}

function decodePayload(signal: OtlpSignal, request: ReceivedRequest): unknown {
  if (request.contentType === JSON_TYPE) return parseJson(request.body);
  if (request.contentType === PROTOBUF_TYPE) return signal === 'traces' ? decodeProtobufTraces(request.body) : request.body;
  throw new Rejection(415, `${request.contentType || 'missing'} media type unsupported, supported: [${JSON_TYPE}, ${PROTOBUF_TYPE}]`);
}

/** Success is an empty Export*ServiceResponse in the request's encoding, as the Collector answers. */
function successReply(request: ReceivedRequest): Reply {
  return request.contentType === PROTOBUF_TYPE
    ? { status: 200, contentType: PROTOBUF_TYPE, body: encodeEmptyExportResponse() }
    : { status: 200, contentType: JSON_TYPE, body: '{}' };
}

/** Failures carry a google.rpc.Status in the request's encoding, plain text when it has none. */
function failureReply(request: ReceivedRequest, status: number, message: string): Reply {
  const code = RPC_CODES[status] ?? 2;
  if (request.contentType === PROTOBUF_TYPE) return { status, contentType: PROTOBUF_TYPE, body: encodeRpcStatus(code, message) };
  if (request.contentType === JSON_TYPE) return { status, contentType: JSON_TYPE, body: JSON.stringify({ code, message }) };
  return { status, contentType: 'text/plain; charset=utf-8', body: message };
}

/** Starts an OTLP/HTTP receiver on 127.0.0.1 and an ephemeral port. */
export async function startOtlpReceiver(options: BehaviourOptions = {}): Promise<OtlpReceiver> {
  let batches: OtlpScopeSpans[] = [];
  let payloads: Record<OtlpSignal, unknown[]> = { traces: [], metrics: [], logs: [] };

  const backend: Backend = {
    accept(request) {
      const signal = SIGNAL_PATHS[request.path];
      if (signal === undefined) throw new Rejection(404, `404 page not found: ${request.path}`);
      const payload = decodePayload(signal, request);
      // Normalize before storing anything, so an invalid request leaves no partial trace behind.
      if (signal === 'traces') batches.push(...normalizeTraceRequest(payload));
      payloads[signal].push(payload);
      return successReply(request);
    },
    failure: failureReply,
    reset() {
      batches = [];
      payloads = { traces: [], metrics: [], logs: [] };
    },
  };
  const loopback = await startLoopbackReceiver(backend, options);

  const spans = (): ReceivedSpan[] =>
    batches.flatMap(({ resource, scope, spans }) => spans.map((span) => ({ ...span, resource, scope })));

  return {
    url: loopback.url,
    tracesUrl: `${loopback.url}/v1/traces`,
    spans,
    batches: () => [...batches],
    payloads: (signal) => [...payloads[signal]],
    waitForSpans(count, timeoutMs = 2000) {
      const enough = (): ReceivedSpan[] | undefined => (spans().length >= count ? spans() : undefined);
      return loopback.waitFor(enough, timeoutMs, `${count} span(s)`);
    },
    requests: loopback.requests,
    waitForRequests: loopback.waitForRequests,
    setBehaviour: loopback.setBehaviour,
    reset: loopback.reset,
    close: loopback.close,
  };
}
