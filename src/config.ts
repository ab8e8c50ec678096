/**
 * The one place that reads the environment, and the validation of code options.
 *
 * Env is read once, lazily, into a frozen snapshot. A bad env value never throws: it falls back to
 * the default and leaves a warning in `EnvSnapshot.warnings`, which the lifecycle writes once.
 * A bad option passed in code is a programming error and throws when `observe()` is called.
 *
 * This module imports nothing of ours, so every other module may read it.
 */

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const TRACES_EXPORTERS = ['otlp', 'zipkin', 'console', 'none'] as const;
export type TracesExporterName = (typeof TRACES_EXPORTERS)[number];

export const FLUSH_MODES = ['sync', 'async'] as const;
export type FlushMode = (typeof FLUSH_MODES)[number];

/** OTLP over HTTP only: `grpc` would pull in the gRPC stack (a cold-start cost), so it falls back to `http/protobuf`. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export const OTLP_COMPRESSIONS = ['gzip', 'none'] as const;
export type OtlpCompression = (typeof OTLP_COMPRESSIONS)[number];

/** `OTEL_PROPAGATORS` values we support: what outgoing HTTP calls carry. */
export const PROPAGATORS = ['tracecontext', 'baggage', 'xray', 'none'] as const;
export type PropagatorName = (typeof PROPAGATORS)[number];

/** `OTEL_TRACES_SAMPLER` values we support. */
export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TracesSamplerName = (typeof TRACES_SAMPLERS)[number];

/** `OTEL_METRICS_EXPORTER` values. `prometheus` pushes to a Pushgateway: nothing can scrape a Lambda. */
export const METRICS_EXPORTERS = ['prometheus', 'otlp', 'none'] as const;
export type MetricsExporterName = (typeof METRICS_EXPORTERS)[number];

/** Options accepted by `observe()` and `observeMiddleware()`. Each overrides its env variable. */
export interface ObserveOptions {
  /** `service.name` on every signal. Env: `OTEL_SERVICE_NAME`; default: the function name. */
  serviceName?: string;
  /** `service.version`. Env: `LAMBDA_OBSERVE_SERVICE_VERSION`; default: the function version. */
  serviceVersion?: string;
  /** Fields put on every wide event of this execution environment (e.g. deployment, team). */
  fields?: Record<string, unknown>;
  /** Minimum level written. Env: `LAMBDA_OBSERVE_LOG_LEVEL`, then `AWS_LAMBDA_LOG_LEVEL`; default `info`. */
  logLevel?: LogLevel;
  /** Use the X-Ray trace header as parent when it is sampled and no event carries a W3C parent. Env: `LAMBDA_OBSERVE_XRAY_PARENT`. */
  xrayParent?: boolean;
  /** How long before Lambda's deadline the invocation is closed as a timeout and flushed. Env: `LAMBDA_OBSERVE_TIMEOUT_MARGIN_MS`; default 500. */
  timeoutMarginMs?: number;
  /** Upper bound for the end-of-invocation flush of every signal. Env: `LAMBDA_OBSERVE_FLUSH_TIMEOUT_MS`; default 2000. */
  flushTimeoutMs?: number;
  /** Span exporters. Env: `OTEL_TRACES_EXPORTER`; default `otlp` when an OTLP endpoint is set, else `none`. */
  tracesExporter?: readonly TracesExporterName[];
  /** Add `X-Request-ID` to HTTP responses that lack it. Env: `LAMBDA_OBSERVE_RESPONSE_REQUEST_ID`; default true. */
  responseRequestId?: boolean;
  /** `sync`: flush before returning. `async`: return first, flush before the freeze (needs the layer's exec wrapper, which holds the freeze; else it flushes first, as `sync`). Env: `LAMBDA_OBSERVE_FLUSH_MODE`. */
  flushMode?: FlushMode;
  /** OTLP traces URL, used as is. Env: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`; default `http://localhost:4318/v1/traces`. */
  otlpTracesEndpoint?: string;
  /** Headers of every OTLP export (API keys: never logged). Env: `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TRACES_HEADERS` (`k=v,k2=v2`). */
  otlpHeaders?: Record<string, string>;
  /** Deadline of one OTLP export, capped at `flushTimeoutMs`. Env: `OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT`; default 10000. */
  otlpTimeoutMs?: number;
  /** Env: `OTEL_EXPORTER_OTLP_[TRACES_]COMPRESSION`; default `none`. */
  otlpCompression?: OtlpCompression;
  /** Env: `OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`; default `http/protobuf` (`grpc` warns and falls back). */
  otlpProtocol?: OtlpProtocol;
  /** Zipkin v2 spans URL. Env: `OTEL_EXPORTER_ZIPKIN_ENDPOINT`; default `http://localhost:9411/api/v2/spans`. */
  zipkinEndpoint?: string;
  /** Context formats put on outgoing HTTP calls. Env: `OTEL_PROPAGATORS`; default `tracecontext,baggage`. */
  propagators?: readonly PropagatorName[];
  /** Env: `OTEL_TRACES_SAMPLER`; default `parentbased_always_on`. */
  tracesSampler?: TracesSamplerName;
  /** Ratio in [0, 1] for the `*traceidratio` samplers. Env: `OTEL_TRACES_SAMPLER_ARG`; default 1. */
  tracesSamplerRatio?: number;
  /** Add traceparent/tracestate and X-Request-ID to outgoing fetch and node:http calls. Env: `LAMBDA_OBSERVE_PROPAGATE_HTTP`; default true. */
  propagateHttp?: boolean;
  /** Metric exporters. Env: `OTEL_METRICS_EXPORTER`; default `prometheus` when a Pushgateway URL is set, else `otlp` when an OTLP endpoint is set, else `none`. */
  metricsExporter?: readonly MetricsExporterName[];
  /** Pushgateway base URL; `user:pass@` in it becomes basic auth (never logged). Env: `LAMBDA_OBSERVE_PUSHGATEWAY_URL`. */
  pushgatewayUrl?: string;
  /** Grouping-key labels after `job` and `instance`, e.g. `{ stage: 'prod' }`. Env: `LAMBDA_OBSERVE_PUSHGATEWAY_LABELS` (`k=v,k2=v2`). */
  pushgatewayLabels?: Record<string, string>;
  /** Minimum milliseconds between pushes; 0 pushes after every invocation. A final push happens at shutdown. Env: `LAMBDA_OBSERVE_PUSH_INTERVAL_MS`; default 0. */
  pushIntervalMs?: number;
  /** Per-logger minimum levels; a dotted name covers its children, the most specific wins. Env: `LAMBDA_OBSERVE_LOG_LEVELS` (`db=warn,http.client=error`). */
  logLevels?: Readonly<Record<string, LogLevel>>;
  /** Per-logger level rewrites applied before filtering, e.g. `{ 'vendor.sdk': { error: 'warn' } }`. Env: `LAMBDA_OBSERVE_LOG_REMAP` (`vendor.sdk:error=warn,…`). */
  logRemaps?: Readonly<Record<string, Readonly<Partial<Record<LogLevel, LogLevel>>>>>;
  /** Hold debug lines the level filters out; write them (before the error line) only if the invocation fails or times out. Env: `LAMBDA_OBSERVE_LOG_BUFFER_DEBUG`; default true. */
  logBufferDebug?: boolean;
  /** Byte bound of each invocation's debug buffer (oldest lines dropped first). Env: `LAMBDA_OBSERVE_LOG_BUFFER_BYTES`; default 262144. */
  logBufferBytes?: number;
  /** Fraction in [0, 1] of invocations that write debug lines directly. Env: `LAMBDA_OBSERVE_LOG_DEBUG_SAMPLE_RATE`; default 0. */
  logDebugSampleRate?: number;
  /** Longest string written in log lines and the wide event; longer ones are cut with a marker. Env: `LAMBDA_OBSERVE_MAX_STRING_LENGTH`; default 8192. */
  maxStringLength?: number;
  /** Route `console.log/info/warn/error/debug` through the logger `console`. Env: `LAMBDA_OBSERVE_CAPTURE_CONSOLE`; default false. */
  captureConsole?: boolean;
  /** Additions to the default redaction rules, or `false` to turn redaction off. Env: `LAMBDA_OBSERVE_REDACT` (false), `LAMBDA_OBSERVE_REDACT_KEYS`, `LAMBDA_OBSERVE_REDACT_ALLOW` (comma lists). */
  redact?: false | RedactOptions;
}

/** Additions to the default redaction rules (see src/redact/redact.ts). Lists from env and code are combined. */
export interface RedactOptions {
  /** False turns redaction off. Default true. */
  enabled?: boolean;
  /** Extra key terms: a field whose normalized name contains one has its value replaced. */
  keys?: readonly string[];
  /** Keys never replaced by name (exact normalized match), e.g. `total_tokens`. */
  allowKeys?: readonly string[];
  /** Extra value patterns; every match is replaced. */
  patterns?: readonly (RegExp | string)[];
}

/** The traces part of the resolved config. */
export interface TracesConfig {
  readonly otlpEndpoint: string;
  readonly otlpHeaders: Readonly<Record<string, string>>;
  readonly otlpTimeoutMs: number;
  readonly otlpCompression: OtlpCompression;
  readonly otlpProtocol: OtlpProtocol;
  readonly zipkinEndpoint: string;
  readonly propagators: readonly PropagatorName[];
  readonly sampler: TracesSamplerName;
  readonly samplerRatio: number;
  readonly propagateHttp: boolean;
}

/** Everything read from the process environment, once. */
export interface EnvSnapshot {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly region: string | undefined;
  readonly memoryMb: number | undefined;
  readonly logStreamName: string | undefined;
  readonly initializationType: string | undefined;
  readonly options: Readonly<ObserveOptions>;
  /** Problems found while reading env, each to be warned once. */
  readonly warnings: readonly string[];
  /** Metrics settings that only env can set: the meter provider exists before any `observe()` options are seen. */
  readonly metrics: MetricsEnv;
}

/** The resolved configuration of one `observe()` wrapper: code options > env > defaults. */
export interface Config {
  readonly serviceName: string;
  readonly serviceVersion: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly region: string | undefined;
  readonly memoryMb: number | undefined;
  readonly logStreamName: string | undefined;
  readonly initializationType: string | undefined;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly logLevel: LogLevel;
  readonly xrayParent: boolean;
  readonly timeoutMarginMs: number;
  readonly flushTimeoutMs: number;
  readonly tracesExporter: readonly TracesExporterName[];
  readonly responseRequestId: boolean;
  readonly flushMode: FlushMode;
  readonly traces: TracesConfig;
  readonly metrics: MetricsConfig;
  readonly logs: LogsConfig;
  readonly redact: RedactConfig;
  /** The raw environment, for signal modules that read their own standard variables (OTEL_*). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const DEFAULT_TIMEOUT_MARGIN_MS = 500;
const DEFAULT_FLUSH_TIMEOUT_MS = 2000;

let snapshot: EnvSnapshot | undefined;

/** The environment, read on first use and frozen. */
export function readEnv(): EnvSnapshot {
  snapshot ??= parseEnv(process.env);
  return snapshot;
}

/**
 * The X-Ray trace header of the invocation in progress. The runtime rewrites `_X_AMZN_TRACE_ID`
 * before every invocation, so unlike the rest of the environment it is read live.
 */
export function currentXrayTraceHeader(): string | undefined {
  return process.env._X_AMZN_TRACE_ID || undefined;
}

/** Forget the cached snapshot; the next `readEnv()` reads `process.env` again. For tests and the CLI. */
export function resetEnvForTesting(): void {
  snapshot = undefined;
}

/**
 * The snapshot if it was read, else a fresh parse that is NOT cached: for work done at import
 * time (the meter provider), which must not freeze the environment before the CLI or a test
 * adjusts it. Its warnings are written when `readEnv()` is used.
 */
export function peekEnv(): EnvSnapshot {
  return snapshot ?? parseEnv(process.env);
}

/** Parse an environment into a snapshot. Pure: never throws, collects warnings instead. */
export function parseEnv(source: Record<string, string | undefined>): EnvSnapshot {
  const env = Object.freeze({ ...source });
  const warnings: string[] = [];
  const options: ObserveOptions = {};

  const functionName = nonEmpty(env.AWS_LAMBDA_FUNCTION_NAME) ?? 'unknown_function';
  const functionVersion = nonEmpty(env.AWS_LAMBDA_FUNCTION_VERSION) ?? '$LATEST';
  const memoryMb = parsePositiveNumber(env, 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', warnings);

  const serviceName = nonEmpty(env.OTEL_SERVICE_NAME);
  if (serviceName) options.serviceName = serviceName;
  const serviceVersion = nonEmpty(env.LAMBDA_OBSERVE_SERVICE_VERSION);
  if (serviceVersion) options.serviceVersion = serviceVersion;

  const logLevel =
    parseChoice(env, 'LAMBDA_OBSERVE_LOG_LEVEL', LOG_LEVELS, warnings, levelAliases) ??
    parseChoice(env, 'AWS_LAMBDA_LOG_LEVEL', LOG_LEVELS, warnings, levelAliases);
  if (logLevel) options.logLevel = logLevel;

  const xrayParent = parseBoolean(env, 'LAMBDA_OBSERVE_XRAY_PARENT', warnings);
  if (xrayParent !== undefined) options.xrayParent = xrayParent;
  const responseRequestId = parseBoolean(env, 'LAMBDA_OBSERVE_RESPONSE_REQUEST_ID', warnings);
  if (responseRequestId !== undefined) options.responseRequestId = responseRequestId;

  const margin = parsePositiveNumber(env, 'LAMBDA_OBSERVE_TIMEOUT_MARGIN_MS', warnings);
  if (margin !== undefined) options.timeoutMarginMs = margin;
  const flushTimeout = parsePositiveNumber(env, 'LAMBDA_OBSERVE_FLUSH_TIMEOUT_MS', warnings);
  if (flushTimeout !== undefined) options.flushTimeoutMs = flushTimeout;

  const flushMode = parseChoice(env, 'LAMBDA_OBSERVE_FLUSH_MODE', FLUSH_MODES, warnings);
  if (flushMode) options.flushMode = flushMode;

  const exporters = parseList(env, 'OTEL_TRACES_EXPORTER', TRACES_EXPORTERS, warnings);
  if (exporters) options.tracesExporter = exporters;
  parseTracesEnv(env, options, warnings);
  const metricsEnv = parseMetricsEnv(env, options, warnings);
  parseLogsEnv(env, options, warnings);

  return Object.freeze({
    env,
    functionName,
    functionVersion,
    region: nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION),
    memoryMb,
    logStreamName: nonEmpty(env.AWS_LAMBDA_LOG_STREAM_NAME),
    initializationType: nonEmpty(env.AWS_LAMBDA_INITIALIZATION_TYPE),
    options: Object.freeze(options),
    warnings: Object.freeze(warnings),
    metrics: metricsEnv,
  });
}

/**
 * Validate code options and merge them over env and defaults.
 * @throws TypeError naming the offending option: code options are checked where they are written.
 */
export function resolveConfig(options: ObserveOptions | undefined, env: EnvSnapshot = readEnv()): Config {
  validateOptions(options);
  const merged: ObserveOptions = { ...env.options, ...definedOnly(options ?? {}) };
  const tracesExporter =
    merged.tracesExporter ??
    (hasOtlpEndpoint(env.env) || merged.otlpTracesEndpoint ? (['otlp'] as const) : (['none'] as const));
  return Object.freeze({
    serviceName: merged.serviceName ?? env.functionName,
    serviceVersion: merged.serviceVersion ?? env.functionVersion,
    functionName: env.functionName,
    functionVersion: env.functionVersion,
    region: env.region,
    memoryMb: env.memoryMb,
    logStreamName: env.logStreamName,
    initializationType: env.initializationType,
    fields: Object.freeze({ ...(merged.fields ?? {}) }),
    logLevel: merged.logLevel ?? 'info',
    xrayParent: merged.xrayParent ?? false,
    timeoutMarginMs: merged.timeoutMarginMs ?? DEFAULT_TIMEOUT_MARGIN_MS,
    flushTimeoutMs: merged.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS,
    tracesExporter: Object.freeze([...tracesExporter]),
    responseRequestId: merged.responseRequestId ?? true,
    flushMode: merged.flushMode ?? 'sync',
    traces: resolveTraces(merged),
    metrics: resolveMetrics(merged, env),
    logs: resolveLogs(merged, env.options, options ?? {}),
    redact: resolveRedact(env.options.redact, options?.redact),
    env: env.env,
  });
}

function hasOtlpEndpoint(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT));
}

const KNOWN_OPTIONS = new Set<string>([
  'serviceName',
  'serviceVersion',
  'fields',
  'logLevel',
  'xrayParent',
  'timeoutMarginMs',
  'flushTimeoutMs',
  'tracesExporter',
  'responseRequestId',
  'flushMode',
  'otlpTracesEndpoint',
  'otlpHeaders',
  'otlpTimeoutMs',
  'otlpCompression',
  'otlpProtocol',
  'zipkinEndpoint',
  'propagators',
  'tracesSampler',
  'tracesSamplerRatio',
  'propagateHttp',
  'metricsExporter',
  'pushgatewayUrl',
  'pushgatewayLabels',
  'pushIntervalMs',
  'logLevels',
  'logRemaps',
  'logBufferDebug',
  'logBufferBytes',
  'logDebugSampleRate',
  'maxStringLength',
  'captureConsole',
  'redact',
]);

function validateOptions(options: ObserveOptions | undefined): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`lambda-observe: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`lambda-observe: unknown option "${key}"`);
  }
  const o = options as Record<string, unknown>;
  expectString(o, 'serviceName');
  expectString(o, 'serviceVersion');
  if (o.fields !== undefined && (o.fields === null || typeof o.fields !== 'object' || Array.isArray(o.fields))) {
    throw new TypeError(`lambda-observe: option "fields" must be a plain object, got ${describe(o.fields)}`);
  }
  expectChoice(o, 'logLevel', LOG_LEVELS);
  expectChoice(o, 'flushMode', FLUSH_MODES);
  expectBoolean(o, 'xrayParent');
  expectBoolean(o, 'responseRequestId');
  expectNonNegative(o, 'timeoutMarginMs');
  expectNonNegative(o, 'flushTimeoutMs');
  if (o.tracesExporter !== undefined) {
    if (!Array.isArray(o.tracesExporter) || o.tracesExporter.some((e) => !TRACES_EXPORTERS.includes(e))) {
      throw new TypeError(
        `lambda-observe: option "tracesExporter" must be an array of ${TRACES_EXPORTERS.join('|')}, got ${describe(o.tracesExporter)}`,
      );
    }
  }
  validateTracesOptions(o);
  validateMetricsOptions(o);
  validateLogsOptions(o);
}

function expectString(o: Record<string, unknown>, key: string): void {
  if (o[key] !== undefined && (typeof o[key] !== 'string' || o[key] === '')) {
    throw new TypeError(`lambda-observe: option "${key}" must be a non-empty string, got ${describe(o[key])}`);
  }
}

function expectBoolean(o: Record<string, unknown>, key: string): void {
  if (o[key] !== undefined && typeof o[key] !== 'boolean') {
    throw new TypeError(`lambda-observe: option "${key}" must be a boolean, got ${describe(o[key])}`);
  }
}

function expectNonNegative(o: Record<string, unknown>, key: string): void {
  const v = o[key];
  if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
    throw new TypeError(`lambda-observe: option "${key}" must be a finite number >= 0, got ${describe(v)}`);
  }
}

function expectChoice(o: Record<string, unknown>, key: string, choices: readonly string[]): void {
  const v = o[key];
  if (v !== undefined && (typeof v !== 'string' || !choices.includes(v))) {
    throw new TypeError(`lambda-observe: option "${key}" must be one of ${choices.join('|')}, got ${describe(v)}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Lambda's own log level names include TRACE and FATAL; fold them into ours. */
const levelAliases: Record<string, LogLevel> = { trace: 'debug', fatal: 'error', critical: 'error', warning: 'warn' };

/** Read a one-of env value; warns and returns undefined when the value is not a known choice. */
export function parseChoice<T extends string>(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  choices: readonly T[],
  warnings: string[],
  aliases: Record<string, T> = {},
): T | undefined {
  const raw = nonEmpty(env[name])?.toLowerCase();
  if (raw === undefined) return undefined;
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  if (aliases[raw]) return aliases[raw];
  warnings.push(`${name}=${JSON.stringify(env[name])} is not one of ${choices.join('|')}; using the default`);
  return undefined;
}

/** Read a comma-separated list of choices; unknown entries are dropped with a warning. */
export function parseList<T extends string>(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  choices: readonly T[],
  warnings: string[],
): T[] | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const picked: T[] = [];
  for (const part of raw.split(',')) {
    const entry = part.trim().toLowerCase();
    if (!entry) continue;
    if ((choices as readonly string[]).includes(entry)) picked.push(entry as T);
    else warnings.push(`${name} entry ${JSON.stringify(entry)} is not one of ${choices.join('|')}; ignored`);
  }
  return picked.length > 0 ? picked : undefined;
}

/** Read a boolean env value: true/false/1/0/yes/no/on/off. */
export function parseBoolean(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  warnings: string[],
): boolean | undefined {
  const raw = nonEmpty(env[name])?.toLowerCase();
  if (raw === undefined) return undefined;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  warnings.push(`${name}=${JSON.stringify(env[name])} is not a boolean; using the default`);
  return undefined;
}

/** Read a finite number >= 0; warns and returns undefined otherwise. */
export function parsePositiveNumber(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  warnings: string[],
): number | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (Number.isFinite(value) && value >= 0) return value;
  warnings.push(`${name}=${JSON.stringify(env[name])} is not a number >= 0; using the default`);
  return undefined;
}

// ───────────────────────────── Traces: the standard OTEL_* variables ─────────────────────────────

const DEFAULT_OTLP_TRACES_ENDPOINT = 'http://localhost:4318/v1/traces';
const DEFAULT_ZIPKIN_ENDPOINT = 'http://localhost:9411/api/v2/spans';
const DEFAULT_OTLP_TIMEOUT_MS = 10_000;

/** Read the traces variables into `options`; the signal-specific `OTEL_EXPORTER_OTLP_TRACES_*` wins over the general one. */
function parseTracesEnv(env: Readonly<Record<string, string | undefined>>, options: ObserveOptions, warnings: string[]): void {
  const endpoint = otlpTracesEndpointFromEnv(env, warnings);
  if (endpoint) options.otlpTracesEndpoint = endpoint;
  const headers = {
    ...parseHeaders(env, 'OTEL_EXPORTER_OTLP_HEADERS', warnings),
    ...parseHeaders(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', warnings),
  };
  if (Object.keys(headers).length > 0) options.otlpHeaders = headers;
  const timeout =
    parsePositiveNumber(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', warnings) ?? parsePositiveNumber(env, 'OTEL_EXPORTER_OTLP_TIMEOUT', warnings);
  if (timeout) options.otlpTimeoutMs = timeout;
  const compression =
    parseChoice(env, 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', OTLP_COMPRESSIONS, warnings) ??
    parseChoice(env, 'OTEL_EXPORTER_OTLP_COMPRESSION', OTLP_COMPRESSIONS, warnings);
  if (compression) options.otlpCompression = compression;
  const protocol = parseProtocol(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', warnings) ?? parseProtocol(env, 'OTEL_EXPORTER_OTLP_PROTOCOL', warnings);
  if (protocol) options.otlpProtocol = protocol;
  const zipkin = parseUrl(env, 'OTEL_EXPORTER_ZIPKIN_ENDPOINT', warnings);
  if (zipkin) options.zipkinEndpoint = zipkin;
  const propagators = parseList(env, 'OTEL_PROPAGATORS', PROPAGATORS, warnings);
  if (propagators) options.propagators = propagators;
  const sampler = parseChoice(env, 'OTEL_TRACES_SAMPLER', TRACES_SAMPLERS, warnings);
  if (sampler) options.tracesSampler = sampler;
  const ratio = nonEmpty(env.OTEL_TRACES_SAMPLER_ARG);
  if (ratio !== undefined && (sampler ?? '').endsWith('traceidratio')) {
    const value = Number(ratio);
    if (Number.isFinite(value) && value >= 0 && value <= 1) options.tracesSamplerRatio = value;
    else warnings.push(`OTEL_TRACES_SAMPLER_ARG=${JSON.stringify(ratio)} is not a ratio in [0, 1]; using 1`);
  }
  const propagateHttp = parseBoolean(env, 'LAMBDA_OBSERVE_PROPAGATE_HTTP', warnings);
  if (propagateHttp !== undefined) options.propagateHttp = propagateHttp;
}

function otlpTracesEndpointFromEnv(env: Readonly<Record<string, string | undefined>>, warnings: string[]): string | undefined {
  const specific = parseUrl(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', warnings);
  if (specific) return specific;
  const base = parseUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', warnings);
  // The general endpoint is a base URL: the signal's path is appended, as the spec says.
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/** An http(s) URL, or undefined with a warning. The value is not echoed: URLs can carry credentials. */
function parseUrl(env: Readonly<Record<string, string | undefined>>, name: string, warnings: string[]): string | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  if (isHttpUrl(raw)) return raw;
  warnings.push(`${name} is not an http(s) URL; using the default`);
  return undefined;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** `k=v,k2=v2` with percent-encoded values (W3C baggage-like, per the OTel spec). Values are secrets: never in a warning. */
function parseHeaders(env: Readonly<Record<string, string | undefined>>, name: string, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return out;
  let bad = 0;
  for (const pair of raw.split(',')) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) {
      bad++;
      continue;
    }
    try {
      out[key] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      bad++;
    }
  }
  if (bad > 0) warnings.push(`${name} has ${bad} entr${bad === 1 ? 'y' : 'ies'} that are not key=value; ignored (values are not shown)`);
  return out;
}

function parseProtocol(env: Readonly<Record<string, string | undefined>>, name: string, warnings: string[]): OtlpProtocol | undefined {
  const raw = nonEmpty(env[name])?.toLowerCase();
  if (raw === 'grpc') {
    warnings.push(`${name}=grpc is not supported (it would load the gRPC stack); using http/protobuf — point the endpoint at the OTLP/HTTP port (4318)`);
    return 'http/protobuf';
  }
  return parseChoice(env, name, OTLP_PROTOCOLS, warnings);
}

function resolveTraces(merged: ObserveOptions): TracesConfig {
  const sampler = merged.tracesSampler ?? 'parentbased_always_on';
  return Object.freeze({
    otlpEndpoint: merged.otlpTracesEndpoint ?? DEFAULT_OTLP_TRACES_ENDPOINT,
    otlpHeaders: Object.freeze({ ...(merged.otlpHeaders ?? {}) }),
    otlpTimeoutMs: merged.otlpTimeoutMs ?? DEFAULT_OTLP_TIMEOUT_MS,
    otlpCompression: merged.otlpCompression ?? 'none',
    otlpProtocol: merged.otlpProtocol ?? 'http/protobuf',
    zipkinEndpoint: merged.zipkinEndpoint ?? DEFAULT_ZIPKIN_ENDPOINT,
    propagators: Object.freeze([...(merged.propagators ?? (['tracecontext', 'baggage'] as const))]),
    sampler,
    samplerRatio: merged.tracesSamplerRatio ?? 1,
    propagateHttp: merged.propagateHttp ?? true,
  });
}

function validateTracesOptions(o: Record<string, unknown>): void {
  for (const key of ['otlpTracesEndpoint', 'zipkinEndpoint']) {
    const v = o[key];
    if (v !== undefined && (typeof v !== 'string' || !isHttpUrl(v))) {
      throw new TypeError(`lambda-observe: option "${key}" must be an http(s) URL string, got ${typeof v === 'string' ? 'another string' : describe(v)}`);
    }
  }
  const headers = o.otlpHeaders;
  if (headers !== undefined) {
    const ok =
      headers !== null &&
      typeof headers === 'object' &&
      !Array.isArray(headers) &&
      Object.values(headers).every((value) => typeof value === 'string');
    // The message never shows the headers: they are usually credentials.
    if (!ok) throw new TypeError('lambda-observe: option "otlpHeaders" must be an object of string values');
  }
  const timeout = o.otlpTimeoutMs;
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)) {
    throw new TypeError(`lambda-observe: option "otlpTimeoutMs" must be a finite number > 0, got ${describe(timeout)}`);
  }
  expectChoice(o, 'otlpCompression', OTLP_COMPRESSIONS);
  expectChoice(o, 'otlpProtocol', OTLP_PROTOCOLS);
  expectChoice(o, 'tracesSampler', TRACES_SAMPLERS);
  const ratio = o.tracesSamplerRatio;
  if (ratio !== undefined && (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1))) {
    throw new TypeError(`lambda-observe: option "tracesSamplerRatio" must be a number in [0, 1], got ${describe(ratio)}`);
  }
  if (o.propagators !== undefined) {
    if (!Array.isArray(o.propagators) || o.propagators.some((p) => !PROPAGATORS.includes(p))) {
      throw new TypeError(`lambda-observe: option "propagators" must be an array of ${PROPAGATORS.join('|')}, got ${describe(o.propagators)}`);
    }
  }
  expectBoolean(o, 'propagateHttp');
}

// ───────────────────────────── Metrics: Pushgateway and OTEL_METRICS_EXPORTER ─────────────────────────────

/** The metrics part of the resolved config. */
export interface MetricsConfig {
  readonly exporters: readonly MetricsExporterName[];
  /** Base URL without credentials or trailing slash, or undefined. */
  readonly pushgatewayUrl: string | undefined;
  /** The `Authorization` header value. Not enumerable: it never shows up in a serialized config. */
  readonly pushgatewayAuthorization: string | undefined;
  readonly pushgatewayLabels: Readonly<Record<string, string>>;
  readonly pushIntervalMs: number;
  /** Attribute sets per instrument before the SDK folds the rest into one `otel.metric.overflow` series. */
  readonly cardinalityLimit: number;
}

/** Metrics settings read from env only. */
export interface MetricsEnv {
  readonly cardinalityLimit: number;
  /** From `LAMBDA_OBSERVE_PUSHGATEWAY_AUTH`. Not enumerable. */
  readonly authorization: string | undefined;
}

const DEFAULT_METRICS_CARDINALITY_LIMIT = 500;
/** Grouping-key label names the push path owns. */
const RESERVED_PUSH_LABELS = ['job', 'instance'];

function parseMetricsEnv(env: Readonly<Record<string, string | undefined>>, options: ObserveOptions, warnings: string[]): MetricsEnv {
  const exporters = parseList(env, 'OTEL_METRICS_EXPORTER', METRICS_EXPORTERS, warnings);
  if (exporters) options.metricsExporter = exporters;
  const url = parseUrl(env, 'LAMBDA_OBSERVE_PUSHGATEWAY_URL', warnings);
  if (url) options.pushgatewayUrl = url;
  const labels = parsePushLabels(env, 'LAMBDA_OBSERVE_PUSHGATEWAY_LABELS', warnings);
  if (labels) options.pushgatewayLabels = labels;
  const interval = parsePositiveNumber(env, 'LAMBDA_OBSERVE_PUSH_INTERVAL_MS', warnings);
  if (interval !== undefined) options.pushIntervalMs = interval;
  let cardinalityLimit = DEFAULT_METRICS_CARDINALITY_LIMIT;
  const limit = parsePositiveNumber(env, 'LAMBDA_OBSERVE_METRICS_CARDINALITY_LIMIT', warnings);
  if (limit !== undefined) {
    if (Number.isInteger(limit) && limit >= 2) cardinalityLimit = limit;
    else warnings.push(`LAMBDA_OBSERVE_METRICS_CARDINALITY_LIMIT must be an integer >= 2; using ${DEFAULT_METRICS_CARDINALITY_LIMIT}`);
  }
  const out = { cardinalityLimit } as MetricsEnv;
  Object.defineProperty(out, 'authorization', { value: authorizationHeader(nonEmpty(env.LAMBDA_OBSERVE_PUSHGATEWAY_AUTH)), enumerable: false });
  return Object.freeze(out);
}

/**
 * `Bearer <token>` and `Basic <base64>` are used as they are; `user:pass` becomes basic auth;
 * anything else is a bearer token. The value is a secret: it never appears in a warning.
 */
function authorizationHeader(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const scheme = /^(bearer|basic)\s+(\S.*)$/i.exec(raw);
  if (scheme) return `${scheme[1]!.toLowerCase() === 'bearer' ? 'Bearer' : 'Basic'} ${scheme[2]}`;
  if (raw.includes(':')) return `Basic ${Buffer.from(raw, 'utf8').toString('base64')}`;
  return `Bearer ${raw}`;
}

/** `k=v,k2=v2` grouping labels (percent-encoded values); bad names are dropped with a warning. */
function parsePushLabels(env: Readonly<Record<string, string | undefined>>, name: string, warnings: string[]): Record<string, string> | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : '';
    const problem = pushLabelProblem(key);
    if (problem) {
      warnings.push(`${name}: ${problem}; that label is ignored`);
      continue;
    }
    try {
      out[key] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      warnings.push(`${name}: the value of ${JSON.stringify(key)} has a bad percent-escape; that label is ignored`);
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function pushLabelProblem(key: string): string | undefined {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key) || key.startsWith('__')) return `${JSON.stringify(key)} is not a Prometheus label name`;
  if (RESERVED_PUSH_LABELS.includes(key)) return `${JSON.stringify(key)} is set by lambda-observe (job = service name, instance = execution environment)`;
  return undefined;
}

function resolveMetrics(merged: ObserveOptions, env: EnvSnapshot): MetricsConfig {
  let pushgatewayUrl: string | undefined;
  let urlAuthorization: string | undefined;
  if (merged.pushgatewayUrl) {
    const url = new URL(merged.pushgatewayUrl);
    if (url.username || url.password) {
      urlAuthorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`, 'utf8').toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    url.search = '';
    url.hash = '';
    pushgatewayUrl = url.toString().replace(/\/+$/, '');
  }
  const exporters =
    merged.metricsExporter ??
    (pushgatewayUrl ? (['prometheus'] as const) : hasOtlpMetricsEndpoint(env.env) ? (['otlp'] as const) : (['none'] as const));
  const out = {
    exporters: Object.freeze([...exporters]),
    pushgatewayUrl,
    pushgatewayLabels: Object.freeze({ ...(merged.pushgatewayLabels ?? {}) }),
    pushIntervalMs: merged.pushIntervalMs ?? 0,
    cardinalityLimit: env.metrics.cardinalityLimit,
  } as MetricsConfig;
  Object.defineProperty(out, 'pushgatewayAuthorization', { value: env.metrics.authorization ?? urlAuthorization, enumerable: false });
  return Object.freeze(out);
}

function hasOtlpMetricsEndpoint(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT));
}

function validateMetricsOptions(o: Record<string, unknown>): void {
  if (o.metricsExporter !== undefined) {
    if (!Array.isArray(o.metricsExporter) || o.metricsExporter.some((e) => !METRICS_EXPORTERS.includes(e))) {
      throw new TypeError(
        `lambda-observe: option "metricsExporter" must be an array of ${METRICS_EXPORTERS.join('|')}, got ${describe(o.metricsExporter)}`,
      );
    }
  }
  const url = o.pushgatewayUrl;
  if (url !== undefined && (typeof url !== 'string' || !isHttpUrl(url))) {
    // Not echoed: the URL may carry credentials.
    throw new TypeError(`lambda-observe: option "pushgatewayUrl" must be an http(s) URL string, got ${typeof url === 'string' ? 'another string' : describe(url)}`);
  }
  const labels = o.pushgatewayLabels;
  if (labels !== undefined) {
    if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
      throw new TypeError(`lambda-observe: option "pushgatewayLabels" must be an object of string values, got ${describe(labels)}`);
    }
    for (const [key, value] of Object.entries(labels)) {
      const problem = pushLabelProblem(key) ?? (typeof value === 'string' ? undefined : `the value of ${JSON.stringify(key)} is not a string`);
      if (problem) throw new TypeError(`lambda-observe: option "pushgatewayLabels": ${problem}`);
    }
  }
  expectNonNegative(o, 'pushIntervalMs');
}

// ───────────────────────────── Logs and redaction ─────────────────────────────

/** The logs part of the resolved config. */
export interface LogsConfig {
  /** Per-name minimum levels (env and code merged, code winning per name). */
  readonly levels: Readonly<Record<string, LogLevel>>;
  /** Per-name level rewrites (env and code merged, code winning per name). */
  readonly remaps: Readonly<Record<string, Readonly<Partial<Record<LogLevel, LogLevel>>>>>;
  readonly bufferDebug: boolean;
  readonly bufferBytes: number;
  readonly debugSampleRate: number;
  readonly maxStringLength: number;
  readonly captureConsole: boolean;
}

/** The redaction part of the resolved config: additions to the built-in rules. */
export interface RedactConfig {
  readonly enabled: boolean;
  readonly keys: readonly string[];
  readonly allowKeys: readonly string[];
  readonly patterns: readonly (RegExp | string)[];
}

const DEFAULT_LOG_BUFFER_BYTES = 256 * 1024;
const DEFAULT_MAX_STRING_LENGTH = 8192;
/** Below this a cut string says nothing useful (and the truncation marker alone is ~30 chars). */
const MIN_MAX_STRING_LENGTH = 64;

function parseLogsEnv(env: Readonly<Record<string, string | undefined>>, options: ObserveOptions, warnings: string[]): void {
  const levels = parseLevelMap(env, 'LAMBDA_OBSERVE_LOG_LEVELS', warnings);
  if (levels) options.logLevels = levels;
  const remaps = parseRemaps(env, 'LAMBDA_OBSERVE_LOG_REMAP', warnings);
  if (remaps) options.logRemaps = remaps;
  const buffer = parseBoolean(env, 'LAMBDA_OBSERVE_LOG_BUFFER_DEBUG', warnings);
  if (buffer !== undefined) options.logBufferDebug = buffer;
  const bytes = parsePositiveNumber(env, 'LAMBDA_OBSERVE_LOG_BUFFER_BYTES', warnings);
  if (bytes !== undefined) options.logBufferBytes = bytes;
  const rate = parsePositiveNumber(env, 'LAMBDA_OBSERVE_LOG_DEBUG_SAMPLE_RATE', warnings);
  if (rate !== undefined && rate > 1) {
    warnings.push(`LAMBDA_OBSERVE_LOG_DEBUG_SAMPLE_RATE=${JSON.stringify(env.LAMBDA_OBSERVE_LOG_DEBUG_SAMPLE_RATE)} is not in [0, 1]; using the default`);
  } else if (rate !== undefined) {
    options.logDebugSampleRate = rate;
  }
  const max = parsePositiveNumber(env, 'LAMBDA_OBSERVE_MAX_STRING_LENGTH', warnings);
  if (max !== undefined && max < MIN_MAX_STRING_LENGTH) {
    warnings.push(`LAMBDA_OBSERVE_MAX_STRING_LENGTH=${JSON.stringify(env.LAMBDA_OBSERVE_MAX_STRING_LENGTH)} is below ${MIN_MAX_STRING_LENGTH}; using the default`);
  } else if (max !== undefined) {
    options.maxStringLength = Math.floor(max);
  }
  const capture = parseBoolean(env, 'LAMBDA_OBSERVE_CAPTURE_CONSOLE', warnings);
  if (capture !== undefined) options.captureConsole = capture;

  const redact: RedactOptions = {};
  const enabled = parseBoolean(env, 'LAMBDA_OBSERVE_REDACT', warnings);
  if (enabled !== undefined) redact.enabled = enabled;
  const keys = parseNames(env.LAMBDA_OBSERVE_REDACT_KEYS);
  if (keys) redact.keys = keys;
  const allowKeys = parseNames(env.LAMBDA_OBSERVE_REDACT_ALLOW);
  if (allowKeys) redact.allowKeys = allowKeys;
  if (Object.keys(redact).length > 0) options.redact = redact;
}

const LOGGER_NAME = /^[\w\-]+(?:\.[\w\-]+)*$/;

/** `db=warn,http.client=error` → `{ db: 'warn', 'http.client': 'error' }`; bad entries are dropped with a warning. */
function parseLevelMap(env: Readonly<Record<string, string | undefined>>, name: string, warnings: string[]): Record<string, LogLevel> | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const levels: Record<string, LogLevel> = {};
  for (const part of raw.split(',')) {
    const entry = part.trim();
    if (!entry) continue;
    const [logger, level] = entry.split('=').map((s) => s.trim());
    const parsed = parseLevelName(level);
    if (logger && LOGGER_NAME.test(logger) && parsed) levels[logger] = parsed;
    else warnings.push(`${name} entry ${JSON.stringify(entry)} is not name=${LOG_LEVELS.join('|')}; ignored`);
  }
  return Object.keys(levels).length > 0 ? levels : undefined;
}

/** `vendor.sdk:error=warn,vendor.sdk:warn=info` → `{ 'vendor.sdk': { error: 'warn', warn: 'info' } }`. */
function parseRemaps(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  warnings: string[],
): Record<string, Partial<Record<LogLevel, LogLevel>>> | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const remaps: Record<string, Partial<Record<LogLevel, LogLevel>>> = {};
  for (const part of raw.split(',')) {
    const entry = part.trim();
    if (!entry) continue;
    const match = /^([^:=\s]+)\s*:\s*(\w+)\s*=\s*(\w+)$/.exec(entry);
    const from = parseLevelName(match?.[2]);
    const to = parseLevelName(match?.[3]);
    if (match && LOGGER_NAME.test(match[1] as string) && from && to) (remaps[match[1] as string] ??= {})[from] = to;
    else warnings.push(`${name} entry ${JSON.stringify(entry)} is not name:level=level; ignored`);
  }
  return Object.keys(remaps).length > 0 ? remaps : undefined;
}

/** Our four levels, with Lambda's and common aliases (fatal/critical → error, trace → debug). */
function parseLevelName(raw: string | undefined): LogLevel | undefined {
  const value = raw?.trim().toLowerCase();
  if (!value) return undefined;
  return (LOG_LEVELS as readonly string[]).includes(value) ? (value as LogLevel) : levelAliases[value];
}

function parseNames(raw: string | undefined): string[] | undefined {
  const names = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return names.length > 0 ? names : undefined;
}

function resolveLogs(merged: ObserveOptions, fromEnv: Readonly<ObserveOptions>, fromCode: ObserveOptions): LogsConfig {
  const remaps: Record<string, Partial<Record<LogLevel, LogLevel>>> = {};
  for (const source of [fromEnv.logRemaps, fromCode.logRemaps]) {
    for (const [name, entry] of Object.entries(source ?? {})) remaps[name] = { ...remaps[name], ...entry };
  }
  return Object.freeze({
    levels: Object.freeze({ ...fromEnv.logLevels, ...fromCode.logLevels }),
    remaps: Object.freeze(remaps),
    bufferDebug: merged.logBufferDebug ?? true,
    bufferBytes: merged.logBufferBytes ?? DEFAULT_LOG_BUFFER_BYTES,
    debugSampleRate: merged.logDebugSampleRate ?? 0,
    maxStringLength: merged.maxStringLength ?? DEFAULT_MAX_STRING_LENGTH,
    captureConsole: merged.captureConsole ?? false,
  });
}

/** Field by field: `enabled` from code wins; key lists and patterns from env and code are combined. */
function resolveRedact(fromEnv: false | RedactOptions | undefined, fromCode: false | RedactOptions | undefined): RedactConfig {
  const env = fromEnv || {};
  const code = fromCode || {};
  const enabled = fromCode === false ? false : (code.enabled ?? (fromEnv === false ? false : (env.enabled ?? true)));
  return Object.freeze({
    enabled,
    keys: Object.freeze([...(env.keys ?? []), ...(code.keys ?? [])]),
    allowKeys: Object.freeze([...(env.allowKeys ?? []), ...(code.allowKeys ?? [])]),
    patterns: Object.freeze([...(env.patterns ?? []), ...(code.patterns ?? [])]),
  });
}

function validateLogsOptions(o: Record<string, unknown>): void {
  const levels = o.logLevels;
  if (levels !== undefined) {
    if (!isPlainObject(levels)) throw new TypeError(`lambda-observe: option "logLevels" must be an object of logger name → level, got ${describe(levels)}`);
    for (const [name, level] of Object.entries(levels)) {
      if (!LOGGER_NAME.test(name)) throw new TypeError(`lambda-observe: option "logLevels": ${JSON.stringify(name)} is not a dotted logger name`);
      if (!(LOG_LEVELS as readonly unknown[]).includes(level)) {
        throw new TypeError(`lambda-observe: option "logLevels": the level of ${JSON.stringify(name)} must be one of ${LOG_LEVELS.join('|')}, got ${describe(level)}`);
      }
    }
  }
  const remaps = o.logRemaps;
  if (remaps !== undefined) {
    if (!isPlainObject(remaps)) throw new TypeError(`lambda-observe: option "logRemaps" must be an object of logger name → { from: to }, got ${describe(remaps)}`);
    for (const [name, entry] of Object.entries(remaps)) {
      if (!LOGGER_NAME.test(name)) throw new TypeError(`lambda-observe: option "logRemaps": ${JSON.stringify(name)} is not a dotted logger name`);
      if (!isPlainObject(entry)) throw new TypeError(`lambda-observe: option "logRemaps": the entry of ${JSON.stringify(name)} must be an object like { error: 'warn' }`);
      for (const [from, to] of Object.entries(entry)) {
        if (!(LOG_LEVELS as readonly string[]).includes(from) || !(LOG_LEVELS as readonly unknown[]).includes(to)) {
          throw new TypeError(`lambda-observe: option "logRemaps": ${JSON.stringify(name)} maps ${JSON.stringify(from)} to ${describe(to)}; both must be one of ${LOG_LEVELS.join('|')}`);
        }
      }
    }
  }
  expectBoolean(o, 'logBufferDebug');
  expectBoolean(o, 'captureConsole');
  expectNonNegative(o, 'logBufferBytes');
  expectNonNegative(o, 'logDebugSampleRate');
  if (typeof o.logDebugSampleRate === 'number' && o.logDebugSampleRate > 1) {
    throw new TypeError(`lambda-observe: option "logDebugSampleRate" must be in [0, 1], got ${o.logDebugSampleRate}`);
  }
  const max = o.maxStringLength;
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < MIN_MAX_STRING_LENGTH)) {
    throw new TypeError(`lambda-observe: option "maxStringLength" must be an integer >= ${MIN_MAX_STRING_LENGTH}, got ${describe(max)}`);
  }
  validateRedactOption(o.redact);
}

function validateRedactOption(redact: unknown): void {
  if (redact === undefined || redact === false) return;
  if (!isPlainObject(redact)) throw new TypeError(`lambda-observe: option "redact" must be false or an object, got ${describe(redact)}`);
  const known = new Set(['enabled', 'keys', 'allowKeys', 'patterns']);
  for (const key of Object.keys(redact)) {
    if (!known.has(key)) throw new TypeError(`lambda-observe: unknown option "redact.${key}"`);
  }
  expectBoolean(redact, 'enabled');
  for (const key of ['keys', 'allowKeys'] as const) {
    const list = redact[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((k) => typeof k !== 'string' || !k.trim()))) {
      throw new TypeError(`lambda-observe: option "redact.${key}" must be an array of non-empty strings, got ${describe(list)}`);
    }
  }
  const patterns = redact.patterns;
  if (patterns !== undefined) {
    if (!Array.isArray(patterns)) throw new TypeError(`lambda-observe: option "redact.patterns" must be an array of RegExp or strings, got ${describe(patterns)}`);
    for (const pattern of patterns) {
      if (pattern instanceof RegExp) continue;
      if (typeof pattern !== 'string' || !pattern) throw new TypeError(`lambda-observe: option "redact.patterns" must hold RegExp or non-empty strings, got ${describe(pattern)}`);
      try {
        new RegExp(pattern, 'g');
      } catch (error) {
        throw new TypeError(`lambda-observe: option "redact.patterns": ${JSON.stringify(pattern)} is not a valid regular expression (${(error as Error).message})`);
      }
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
