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
  /** `sync`: flush before returning. `async`: return first, flush before the freeze (needs the layer's extension). Env: `LAMBDA_OBSERVE_FLUSH_MODE`. */
  flushMode?: FlushMode;
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

/** Forget the cached snapshot; the next `readEnv()` reads `process.env` again. For tests and the CLI. */
export function resetEnvForTesting(): void {
  snapshot = undefined;
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
    merged.tracesExporter ?? (hasOtlpEndpoint(env.env) ? (['otlp'] as const) : (['none'] as const));
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
