/**
 * A loopback stand-in for Zipkin's span collector, `POST /api/v2/spans` with JSON v2, for tests:
 * no Zipkin binary can run here (see /work/shared/design/environment.md).
 *
 * Decoding follows Zipkin's own reader (zipkin2.internal.V2SpanReader over a Gson JsonReader, and
 * zipkin2.Span.Builder): what Zipkin refuses with 400 is refused here with the same reason, and
 * what it normalizes (lower-cased names, left-padded ids, dropped zero ids and negative times)
 * is normalized the same way, so a test sees the span as Zipkin would store it. The raw body is
 * still in `requests()` for checking what the exporter literally sent.
 *
 * Answers 202 like Zipkin; behaviours as in otlp-receiver.ts.
 */
import {
  Rejection,
  startLoopbackReceiver,
  type Backend,
  type Behaviour,
  type BehaviourOptions,
  type ReceivedRequest,
  type Reply,
} from './otlp-receiver.ts';

export type ZipkinKind = 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';

export interface ZipkinEndpoint {
  serviceName?: string;
  ipv4?: string;
  ipv6?: string;
  port?: number;
}

export interface ZipkinAnnotation {
  /** Epoch microseconds. */
  timestamp: number;
  value: string;
}

/** A span as Zipkin stores it. Absent optional fields are absent, not null. */
export interface ZipkinSpan {
  /** 16 or 32 lower-hex digits. */
  traceId: string;
  /** 16 lower-hex digits. */
  id: string;
  parentId?: string;
  /** Lower-cased by Zipkin. */
  name?: string;
  kind?: ZipkinKind;
  /** Epoch microseconds. */
  timestamp?: number;
  /** Microseconds. */
  duration?: number;
  localEndpoint?: ZipkinEndpoint;
  remoteEndpoint?: ZipkinEndpoint;
  /** Sorted by timestamp, as Zipkin returns them. */
  annotations: ZipkinAnnotation[];
  tags: Record<string, string>;
  debug?: boolean;
  shared?: boolean;
}

// ───────────────────────────── Zipkin JSON v2 decoding ─────────────────────────────

type Fields = Record<string, unknown>;

const KINDS: readonly string[] = ['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'];

/** Zipkin wraps every decoding error this way before answering 400. */
function refuse(reason: string): never {
  throw new Rejection(400, `${reason} reading List<Span> from json`);
}

const TOKEN_NAMES: Record<string, string> = { string: 'STRING', number: 'NUMBER', boolean: 'BOOLEAN', object: 'BEGIN_OBJECT' };

/** The name Gson gives a JSON value in its error messages. */
function tokenName(value: unknown): string {
  if (value === null) return 'NULL';
  if (Array.isArray(value)) return 'BEGIN_ARRAY';
  return TOKEN_NAMES[typeof value] ?? 'UNKNOWN';
}

/** Gson's nextString(): strings, and numbers as their text; anything else is an error. */
function nextString(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return refuse(`Expected a string but was ${tokenName(value)} at path ${path}`);
}

/** Gson's nextLong(): a number (or numeric string) that is exactly an integer. */
function nextLong(value: unknown, path: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  const shown = typeof value === 'number' || typeof value === 'string' ? String(value) : tokenName(value);
  return refuse(`Expected a long but was ${shown} at path ${path}`);
}

function nextBoolean(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  return refuse(`Expected a boolean but was ${tokenName(value)} at path ${path}`);
}

function objectAt(value: unknown, path: string): Fields {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Fields;
  return refuse(`Expected BEGIN_OBJECT but was ${tokenName(value)} at path ${path}`);
}

function arrayAt(value: unknown, path: string): unknown[] {
  if (Array.isArray(value)) return value;
  return refuse(`Expected BEGIN_ARRAY but was ${tokenName(value)} at path ${path}`);
}

/** Zipkin ids are lower-hex without prefix; upper case is refused, not folded. */
function leadingZerosOfHex(id: string, path: string): number {
  if (!/^[0-9a-f]+$/.test(id)) refuse(`${id} should be lower-hex encoded with no prefix at path ${path}`);
  return /^0*/.exec(id)![0].length;
}

/** Span.normalizeTraceId: 1..32 digits, not all zeros, padded to 16 or 32; a zero high half is dropped. */
function traceIdOf(value: unknown, path: string): string {
  const id = nextString(value, path);
  if (id.length === 0) refuse(`traceId is empty at path ${path}`);
  if (id.length > 32) refuse(`traceId.length > 32 at path ${path}`);
  const zeros = leadingZerosOfHex(id, path);
  if (zeros === id.length) refuse(`traceId is all zeros at path ${path}`);
  if (id.length === 32 && zeros >= 16) return id.slice(16);
  return id.padStart(id.length <= 16 ? 16 : 32, '0');
}

/** Span.Builder.id: 1..16 digits, not all zeros, padded to 16. */
function spanIdOf(value: unknown, path: string): string {
  const id = nextString(value, path);
  if (id.length === 0) refuse(`id is empty at path ${path}`);
  if (id.length > 16) refuse(`id.length > 16 at path ${path}`);
  if (leadingZerosOfHex(id, path) === 16) refuse(`id is all zeros at path ${path}`);
  return id.padStart(16, '0');
}

/** Span.Builder.parentId: like id, except that all zeros means "no parent". */
function parentIdOf(value: unknown, path: string): string | undefined {
  const id = nextString(value, path);
  if (id.length === 0) refuse(`parentId is empty at path ${path}`);
  if (id.length > 16) refuse(`parentId.length > 16 at path ${path}`);
  if (leadingZerosOfHex(id, path) === id.length) return undefined;
  return id.padStart(16, '0');
}

/** Endpoint reader: a service name is lower-cased; an endpoint with no known field is dropped. */
function endpointOf(value: unknown, path: string): ZipkinEndpoint | undefined {
  const fields = objectAt(value, path);
  const endpoint: ZipkinEndpoint = {};
  const present = (name: string): boolean => fields[name] !== undefined && fields[name] !== null;
  if (present('serviceName')) {
    const serviceName = nextString(fields.serviceName, `${path}.serviceName`).toLowerCase();
    if (serviceName !== '') endpoint.serviceName = serviceName;
  }
  if (present('ipv4')) endpoint.ipv4 = nextString(fields.ipv4, `${path}.ipv4`);
  if (present('ipv6')) endpoint.ipv6 = nextString(fields.ipv6, `${path}.ipv6`);
  if (present('port')) endpoint.port = nextLong(fields.port, `${path}.port`);
  return Object.keys(endpoint).length > 0 ? endpoint : undefined;
}

function annotationsOf(value: unknown, path: string): ZipkinAnnotation[] {
  const annotations = arrayAt(value, path).map((item, i) => {
    const fields = objectAt(item, `${path}[${i}]`);
    if (fields.timestamp === undefined || fields.value === undefined) refuse(`Incomplete annotation at path ${path}[${i}]`);
    return {
      timestamp: nextLong(fields.timestamp, `${path}[${i}].timestamp`),
      value: nextString(fields.value, `${path}[${i}].value`),
    };
  });
  return annotations.sort((a, b) => a.timestamp - b.timestamp || a.value.localeCompare(b.value));
}

function tagsOf(value: unknown, path: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [key, tag] of Object.entries(objectAt(value, path))) {
    if (tag === null) refuse(`No value at path ${path}.${key}`);
    tags[key] = nextString(tag, `${path}.${key}`);
  }
  return tags;
}

/** Reads the optional fields; V2SpanReader skips any that is null, and unknown ones. */
function readOptional(span: ZipkinSpan, name: string, value: unknown, path: string): void {
  const at = `${path}.${name}`;
  switch (name) {
    case 'parentId': {
      const parentId = parentIdOf(value, at);
      if (parentId !== undefined) span.parentId = parentId;
      return;
    }
    case 'kind': {
      const kind = nextString(value, at);
      // Span.Kind.valueOf: anything but the four exact names is an IllegalArgumentException.
      if (!KINDS.includes(kind)) refuse(`No enum constant zipkin2.Span.Kind.${kind}`);
      span.kind = kind as ZipkinKind;
      return;
    }
    case 'name': {
      const spanName = nextString(value, at).toLowerCase();
      if (spanName !== '') span.name = spanName;
      return;
    }
    case 'timestamp':
    case 'duration': {
      // Zero means "absent" in Zipkin's model, and negative values are clamped to zero.
      const micros = nextLong(value, at);
      if (micros > 0) span[name] = micros;
      return;
    }
    case 'localEndpoint':
    case 'remoteEndpoint': {
      const endpoint = endpointOf(value, at);
      if (endpoint !== undefined) span[name] = endpoint;
      return;
    }
    case 'annotations':
      span.annotations = annotationsOf(value, at);
      return;
    case 'tags':
      span.tags = tagsOf(value, at);
      return;
    case 'debug':
    case 'shared':
      if (nextBoolean(value, at)) span[name] = true;
      return;
  }
}

function spanOf(value: unknown, path: string): ZipkinSpan {
  const fields = objectAt(value, path);
  const missing = ['traceId', 'id'].filter((name) => fields[name] === undefined);
  if (missing.length > 0) refuse(`Missing : ${missing.join(' ')}`);
  const span: ZipkinSpan = {
    traceId: traceIdOf(fields.traceId, `${path}.traceId`),
    id: spanIdOf(fields.id, `${path}.id`),
    annotations: [],
    tags: {},
  };
  for (const [name, field] of Object.entries(fields)) {
    if (name !== 'traceId' && name !== 'id' && field !== null) readOptional(span, name, field, path);
  }
  // Span.Builder.build: a span that is its own parent loses the parent.
  if (span.parentId === span.id) delete span.parentId;
  if (span.shared === true && span.kind === 'CLIENT') delete span.shared;
  return span;
}

/** Decodes a Zipkin v2 JSON body into spans as Zipkin would store them; throws `Rejection`. */
export function decodeZipkinJson(body: Buffer): ZipkinSpan[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return refuse('Malformed');
  }
  return arrayAt(parsed, '$').map((item, i) => spanOf(item, `$[${i}]`));
}

// ───────────────────────────── The receiver ─────────────────────────────

export interface ZipkinReceiver {
  /** Base URL, e.g. http://127.0.0.1:PORT. */
  readonly url: string;
  /** `${url}/api/v2/spans`, what ZipkinExporter's `url` option wants. */
  readonly spansUrl: string;
  /** Every accepted span, in arrival order. */
  spans(): ZipkinSpan[];
  /** Resolves once at least `count` spans were accepted; rejects after `timeoutMs`. */
  waitForSpans(count: number, timeoutMs?: number): Promise<ZipkinSpan[]>;
  requests(): ReceivedRequest[];
  /** Resolves once `count` requests arrived (answered or not, accepted or not). */
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Requests refused as invalid (they carry `rejection`). */
  rejections(): ReceivedRequest[];
  setBehaviour(behaviour: Behaviour, tuning?: Omit<BehaviourOptions, 'behaviour'>): void;
  reset(): void;
  close(): Promise<void>;
}

const SPANS_PATH = '/api/v2/spans';

function failureReply(_request: ReceivedRequest, status: number, message: string): Reply {
  return { status, contentType: 'text/plain; charset=utf-8', body: message };
}

/** Starts a Zipkin-like collector on 127.0.0.1 and an ephemeral port. */
export async function startZipkinReceiver(options: BehaviourOptions = {}): Promise<ZipkinReceiver> {
  let stored: ZipkinSpan[] = [];

  const backend: Backend = {
    accept(request) {
      if (request.path !== SPANS_PATH) throw new Rejection(404, `no route for ${request.path}`);
      // Zipkin decodes proto3 here too; nothing we test sends it, so say so rather than misread it.
      if (request.contentType === 'application/x-protobuf') throw new Rejection(415, 'this test receiver decodes JSON v2 only');
      if (request.body.length === 0) throw new Rejection(400, 'Empty POST body');
      stored.push(...decodeZipkinJson(request.body));
      return { status: 202 };
    },
    failure: failureReply,
    reset() {
      stored = [];
    },
  };
  const loopback = await startLoopbackReceiver(backend, options);

  return {
    url: loopback.url,
    spansUrl: `${loopback.url}${SPANS_PATH}`,
    spans: () => [...stored],
    waitForSpans(count, timeoutMs = 2000) {
      const enough = (): ZipkinSpan[] | undefined => (stored.length >= count ? [...stored] : undefined);
      return loopback.waitFor(enough, timeoutMs, `${count} Zipkin span(s)`);
    },
    requests: loopback.requests,
    waitForRequests: loopback.waitForRequests,
    rejections: () => loopback.requests().filter((request) => request.rejection !== undefined),
    setBehaviour: loopback.setBehaviour,
    reset: loopback.reset,
    close: loopback.close,
  };
}
