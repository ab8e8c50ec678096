/**
 * The one place that reads the environment, and the validation of code options.
 *
 * Env is read once, lazily, into a frozen snapshot. A bad env value never throws: it falls back to
 * the default and leaves a warning in `EnvSnapshot.warnings`, which the lifecycle writes once.
 * A bad option passed in code is a programming error and throws when `observe()` is called.
 *
 * This module and src/config/ import nothing else of ours, so every other module may read it.
 * The pieces live in src/config/ (options and types, env readers, one file per signal); this file
 * assembles them and re-exports what other modules use, so they keep importing from here.
 */

import { FLUSH_MODES, LOG_LEVELS, TRACES_EXPORTERS, levelAliases } from './config/options.ts';
import type { Config, EnvSnapshot, ObserveOptions } from './config/options.ts';
import {
  definedOnly,
  describe,
  expectBoolean,
  expectChoice,
  expectChoices,
  expectNonNegative,
  expectString,
  freeze,
  isPlainObject,
  nonEmpty,
  optionValueError,
  parseBoolean,
  parseChoice,
  parseList,
  parsePositiveNumber,
  setDefined,
} from './config/env-values.ts';
import { parseTracesEnv, resolveTraces, validateTracesOptions } from './config/traces.ts';
import { parseMetricsEnv, resolveMetrics, validateMetricsOptions } from './config/metrics.ts';
import { parseLogsEnv, resolveLogs, resolveRedact, validateLogsOptions } from './config/logs.ts';

export {
  FLUSH_MODES,
  LOG_LEVELS,
  METRICS_EXPORTERS,
  OTLP_COMPRESSIONS,
  OTLP_PROTOCOLS,
  PROPAGATORS,
  TRACES_EXPORTERS,
  TRACES_SAMPLERS,
} from './config/options.ts';
export type {
  Config,
  EnvSnapshot,
  FlushMode,
  LogLevel,
  LogsConfig,
  MetricsConfig,
  MetricsEnv,
  MetricsExporterName,
  ObserveOptions,
  OtlpCompression,
  OtlpProtocol,
  PropagatorName,
  RedactConfig,
  RedactOptions,
  TracesConfig,
  TracesExporterName,
  TracesSamplerName,
} from './config/options.ts';
export { parseBoolean, parseChoice, parseList, parsePositiveNumber } from './config/env-values.ts';

const DEFAULT_TIMEOUT_MARGIN_MS = 500;
const DEFAULT_FLUSH_TIMEOUT_MS = 2000;

let snapshot: EnvSnapshot | undefined;
/** What import-time work read (see `peekEnv`): parsed once, and forgotten with the snapshot. */
let peeked: EnvSnapshot | undefined;

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
  peeked = undefined;
}

/**
 * The snapshot if it was read, else a parse kept apart from it: for work done at import time (the
 * meter provider, the exporter preload), which must not freeze the environment before the CLI or
 * a test adjusts it. Parsed once for all of that work. Its warnings are written when `readEnv()` is used.
 */
export function peekEnv(): EnvSnapshot {
  return snapshot ?? (peeked ??= parseEnv(process.env));
}

/** Parse an environment into a snapshot. Pure: never throws, collects warnings instead. */
export function parseEnv(source: Record<string, string | undefined>): EnvSnapshot {
  const env = freeze({ ...source });
  const warnings: string[] = [];
  const options: ObserveOptions = {};

  const functionName = nonEmpty(env.AWS_LAMBDA_FUNCTION_NAME) ?? 'unknown_function';
  const functionVersion = nonEmpty(env.AWS_LAMBDA_FUNCTION_VERSION) ?? '$LATEST';
  const memoryMb = parsePositiveNumber(env, 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', warnings);

  setDefined(options, 'serviceName', nonEmpty(env.OTEL_SERVICE_NAME));
  setDefined(options, 'serviceVersion', nonEmpty(env.LAMBDA_OBSERVE_SERVICE_VERSION));

  setDefined(
    options,
    'logLevel',
    parseChoice(env, 'LAMBDA_OBSERVE_LOG_LEVEL', LOG_LEVELS, warnings, levelAliases) ??
      parseChoice(env, 'AWS_LAMBDA_LOG_LEVEL', LOG_LEVELS, warnings, levelAliases),
  );

  setDefined(options, 'xrayParent', parseBoolean(env, 'LAMBDA_OBSERVE_XRAY_PARENT', warnings));
  setDefined(options, 'responseRequestId', parseBoolean(env, 'LAMBDA_OBSERVE_RESPONSE_REQUEST_ID', warnings));

  setDefined(options, 'timeoutMarginMs', parsePositiveNumber(env, 'LAMBDA_OBSERVE_TIMEOUT_MARGIN_MS', warnings));
  setDefined(options, 'flushTimeoutMs', parsePositiveNumber(env, 'LAMBDA_OBSERVE_FLUSH_TIMEOUT_MS', warnings));

  setDefined(options, 'flushMode', parseChoice(env, 'LAMBDA_OBSERVE_FLUSH_MODE', FLUSH_MODES, warnings));

  setDefined(options, 'tracesExporter', parseList(env, 'OTEL_TRACES_EXPORTER', TRACES_EXPORTERS, warnings));
  parseTracesEnv(env, options, warnings);
  const metricsEnv = parseMetricsEnv(env, options, warnings);
  parseLogsEnv(env, options, warnings);

  return freeze({
    env,
    functionName,
    functionVersion,
    region: nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION),
    memoryMb,
    logStreamName: nonEmpty(env.AWS_LAMBDA_LOG_STREAM_NAME),
    initializationType: nonEmpty(env.AWS_LAMBDA_INITIALIZATION_TYPE),
    options: freeze(options),
    warnings: freeze(warnings),
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
  return freeze({
    serviceName: merged.serviceName ?? env.functionName,
    serviceVersion: merged.serviceVersion ?? env.functionVersion,
    functionName: env.functionName,
    functionVersion: env.functionVersion,
    region: env.region,
    memoryMb: env.memoryMb,
    logStreamName: env.logStreamName,
    initializationType: env.initializationType,
    fields: freeze({ ...(merged.fields ?? {}) }),
    logLevel: merged.logLevel ?? 'info',
    xrayParent: merged.xrayParent ?? false,
    timeoutMarginMs: merged.timeoutMarginMs ?? DEFAULT_TIMEOUT_MARGIN_MS,
    flushTimeoutMs: merged.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS,
    tracesExporter: freeze([...tracesExporter]),
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
  if (!isPlainObject(options)) throw new TypeError(`lambda-observe: options must be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`lambda-observe: unknown option "${key}"`);
  }
  const o = options as Record<string, unknown>;
  expectString(o, 'serviceName');
  expectString(o, 'serviceVersion');
  if (o.fields !== undefined && !isPlainObject(o.fields)) throw optionValueError('fields', ' must be a plain object', o.fields);
  expectChoice(o, 'logLevel', LOG_LEVELS);
  expectChoice(o, 'flushMode', FLUSH_MODES);
  expectBoolean(o, 'xrayParent');
  expectBoolean(o, 'responseRequestId');
  expectNonNegative(o, 'timeoutMarginMs');
  expectNonNegative(o, 'flushTimeoutMs');
  expectChoices(o, 'tracesExporter', TRACES_EXPORTERS);
  validateTracesOptions(o);
  validateMetricsOptions(o);
  validateLogsOptions(o);
}
