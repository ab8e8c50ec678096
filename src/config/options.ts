/**
 * The vocabulary of the config: the `as const` choice lists, the options accepted in code, and the
 * shapes of the env snapshot and of the resolved config. Types and constants only, no behaviour.
 *
 * Imports nothing: every file under src/config/ (and, through src/config.ts, every other module) may read it.
 */

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Lambda's own log level names include TRACE and FATAL; fold them into ours. */
export const levelAliases: Record<string, LogLevel> = { trace: 'debug', fatal: 'error', critical: 'error', warning: 'warn' };

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
