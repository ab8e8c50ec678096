/**
 * Traces: the standard OTEL_* variables (exporters' endpoints, headers, protocol, propagators, sampler)
 * and the matching code options.
 */

import { OTLP_COMPRESSIONS, OTLP_PROTOCOLS, PROPAGATORS, TRACES_SAMPLERS } from './options.ts';
import type { ObserveOptions, OtlpProtocol, TracesConfig } from './options.ts';
import {
  envWarning,
  expectBoolean,
  expectChoice,
  expectChoices,
  expectHttpUrl,
  freeze,
  isPlainObject,
  nonEmpty,
  optionError,
  optionValueError,
  parseBoolean,
  parseChoice,
  parseHeaders,
  parseList,
  parsePositiveNumber,
  parseUrl,
  quote,
  setDefined,
} from './env-values.ts';

const DEFAULT_OTLP_TRACES_ENDPOINT = 'http://localhost:4318/v1/traces';
const DEFAULT_ZIPKIN_ENDPOINT = 'http://localhost:9411/api/v2/spans';
const DEFAULT_OTLP_TIMEOUT_MS = 10_000;

/** Read the traces variables into `options`; the signal-specific `OTEL_EXPORTER_OTLP_TRACES_*` wins over the general one. */
export function parseTracesEnv(env: Readonly<Record<string, string | undefined>>, options: ObserveOptions, warnings: string[]): void {
  setDefined(options, 'otlpTracesEndpoint', otlpTracesEndpointFromEnv(env, warnings));
  const headers = {
    ...parseHeaders(env, 'OTEL_EXPORTER_OTLP_HEADERS', warnings),
    ...parseHeaders(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', warnings),
  };
  if (Object.keys(headers).length > 0) options.otlpHeaders = headers;
  const timeout =
    parsePositiveNumber(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', warnings) ?? parsePositiveNumber(env, 'OTEL_EXPORTER_OTLP_TIMEOUT', warnings);
  if (timeout) options.otlpTimeoutMs = timeout;
  setDefined(
    options,
    'otlpCompression',
    parseChoice(env, 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', OTLP_COMPRESSIONS, warnings) ??
      parseChoice(env, 'OTEL_EXPORTER_OTLP_COMPRESSION', OTLP_COMPRESSIONS, warnings),
  );
  setDefined(
    options,
    'otlpProtocol',
    parseProtocol(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', warnings) ?? parseProtocol(env, 'OTEL_EXPORTER_OTLP_PROTOCOL', warnings),
  );
  setDefined(options, 'zipkinEndpoint', parseUrl(env, 'OTEL_EXPORTER_ZIPKIN_ENDPOINT', warnings));
  setDefined(options, 'propagators', parseList(env, 'OTEL_PROPAGATORS', PROPAGATORS, warnings));
  const sampler = parseChoice(env, 'OTEL_TRACES_SAMPLER', TRACES_SAMPLERS, warnings);
  setDefined(options, 'tracesSampler', sampler);
  const ratio = nonEmpty(env.OTEL_TRACES_SAMPLER_ARG);
  if (ratio !== undefined && (sampler ?? '').endsWith('traceidratio')) {
    const value = Number(ratio);
    if (Number.isFinite(value) && value >= 0 && value <= 1) options.tracesSamplerRatio = value;
    else warnings.push(`OTEL_TRACES_SAMPLER_ARG=${quote(ratio)} is not a ratio in [0, 1]; using 1`);
  }
  setDefined(options, 'propagateHttp', parseBoolean(env, 'LAMBDA_OBSERVE_PROPAGATE_HTTP', warnings));
}

function otlpTracesEndpointFromEnv(env: Readonly<Record<string, string | undefined>>, warnings: string[]): string | undefined {
  const specific = parseUrl(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', warnings);
  if (specific) return specific;
  const base = parseUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', warnings);
  // The general endpoint is a base URL: the signal's path is appended, as the spec says.
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

function parseProtocol(env: Readonly<Record<string, string | undefined>>, name: string, warnings: string[]): OtlpProtocol | undefined {
  const raw = nonEmpty(env[name])?.toLowerCase();
  if (raw === 'grpc') {
    warnings.push(`${name}=grpc is not supported (it would load the gRPC stack); using http/protobuf — point the endpoint at the OTLP/HTTP port (4318)`);
    return 'http/protobuf';
  }
  return parseChoice(env, name, OTLP_PROTOCOLS, warnings);
}

/** The traces part of the config from the merged options: code options > env > defaults. */
export function resolveTraces(merged: ObserveOptions): TracesConfig {
  const sampler = merged.tracesSampler ?? 'parentbased_always_on';
  return freeze({
    otlpEndpoint: merged.otlpTracesEndpoint ?? DEFAULT_OTLP_TRACES_ENDPOINT,
    otlpHeaders: freeze({ ...(merged.otlpHeaders ?? {}) }),
    otlpTimeoutMs: merged.otlpTimeoutMs ?? DEFAULT_OTLP_TIMEOUT_MS,
    otlpCompression: merged.otlpCompression ?? 'none',
    otlpProtocol: merged.otlpProtocol ?? 'http/protobuf',
    zipkinEndpoint: merged.zipkinEndpoint ?? DEFAULT_ZIPKIN_ENDPOINT,
    propagators: freeze([...(merged.propagators ?? (['tracecontext', 'baggage'] as const))]),
    sampler,
    samplerRatio: merged.tracesSamplerRatio ?? 1,
    propagateHttp: merged.propagateHttp ?? true,
  });
}

/** Check the traces code options. @throws TypeError naming the offending option. */
export function validateTracesOptions(o: Record<string, unknown>): void {
  expectHttpUrl(o, 'otlpTracesEndpoint');
  expectHttpUrl(o, 'zipkinEndpoint');
  const headers = o.otlpHeaders;
  // The message never shows the headers: they are usually credentials.
  if (headers !== undefined && !(isPlainObject(headers) && Object.values(headers).every((value) => typeof value === 'string'))) {
    throw optionError('otlpHeaders', ' must be an object of string values');
  }
  const timeout = o.otlpTimeoutMs;
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)) {
    throw optionValueError('otlpTimeoutMs', ' must be a finite number > 0', timeout);
  }
  expectChoice(o, 'otlpCompression', OTLP_COMPRESSIONS);
  expectChoice(o, 'otlpProtocol', OTLP_PROTOCOLS);
  expectChoice(o, 'tracesSampler', TRACES_SAMPLERS);
  const ratio = o.tracesSamplerRatio;
  if (ratio !== undefined && (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1))) {
    throw optionValueError('tracesSamplerRatio', ' must be a number in [0, 1]', ratio);
  }
  expectChoices(o, 'propagators', PROPAGATORS);
  expectBoolean(o, 'propagateHttp');
}
