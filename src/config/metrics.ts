/**
 * Metrics: Pushgateway and OTEL_METRICS_EXPORTER, and the matching code options.
 */

import { METRICS_EXPORTERS } from './options.ts';
import type { EnvSnapshot, MetricsConfig, MetricsEnv, ObserveOptions } from './options.ts';
import {
  eachPair,
  expectChoices,
  expectHttpUrl,
  expectNonNegative,
  freeze,
  isPlainObject,
  nonEmpty,
  optionError,
  optionValueError,
  parseList,
  parsePositiveNumber,
  parseUrl,
  quote,
  setDefined,
} from './env-values.ts';

const DEFAULT_METRICS_CARDINALITY_LIMIT = 500;
/** Grouping-key label names the push path owns. */
const RESERVED_PUSH_LABELS = ['job', 'instance'];

/** Read the metrics variables into `options`; returns the settings only env can set (cardinality limit, push auth). */
export function parseMetricsEnv(env: Readonly<Record<string, string | undefined>>, options: ObserveOptions, warnings: string[]): MetricsEnv {
  setDefined(options, 'metricsExporter', parseList(env, 'OTEL_METRICS_EXPORTER', METRICS_EXPORTERS, warnings));
  setDefined(options, 'pushgatewayUrl', parseUrl(env, 'LAMBDA_OBSERVE_PUSHGATEWAY_URL', warnings));
  setDefined(options, 'pushgatewayLabels', parsePushLabels(env, 'LAMBDA_OBSERVE_PUSHGATEWAY_LABELS', warnings));
  setDefined(options, 'pushIntervalMs', parsePositiveNumber(env, 'LAMBDA_OBSERVE_PUSH_INTERVAL_MS', warnings));
  let cardinalityLimit = DEFAULT_METRICS_CARDINALITY_LIMIT;
  const limit = parsePositiveNumber(env, 'LAMBDA_OBSERVE_METRICS_CARDINALITY_LIMIT', warnings);
  if (limit !== undefined) {
    if (Number.isInteger(limit) && limit >= 2) cardinalityLimit = limit;
    else warnings.push(`LAMBDA_OBSERVE_METRICS_CARDINALITY_LIMIT must be an integer >= 2; using ${DEFAULT_METRICS_CARDINALITY_LIMIT}`);
  }
  const out = { cardinalityLimit } as MetricsEnv;
  Object.defineProperty(out, 'authorization', { value: authorizationHeader(nonEmpty(env.LAMBDA_OBSERVE_PUSHGATEWAY_AUTH)), enumerable: false });
  return freeze(out);
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
  eachPair(raw, (key = '', value) => {
    const problem = pushLabelProblem(key) ?? (value === undefined ? `the value of ${quote(key)} has a bad percent-escape` : undefined);
    if (problem) warnings.push(`${name}: ${problem}; that label is ignored`);
    else out[key] = value as string;
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

function pushLabelProblem(key: string): string | undefined {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key) || key.startsWith('__')) return `${quote(key)} is not a Prometheus label name`;
  if (RESERVED_PUSH_LABELS.includes(key)) return `${quote(key)} is set by lambda-observe (job = service name, instance = execution environment)`;
  return undefined;
}

/** The metrics part of the config from the merged options; credentials in the Pushgateway URL move to a non-enumerable header. */
export function resolveMetrics(merged: ObserveOptions, env: EnvSnapshot): MetricsConfig {
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
    exporters: freeze([...exporters]),
    pushgatewayUrl,
    pushgatewayLabels: freeze({ ...(merged.pushgatewayLabels ?? {}) }),
    pushIntervalMs: merged.pushIntervalMs ?? 0,
    cardinalityLimit: env.metrics.cardinalityLimit,
  } as MetricsConfig;
  Object.defineProperty(out, 'pushgatewayAuthorization', { value: env.metrics.authorization ?? urlAuthorization, enumerable: false });
  return freeze(out);
}

function hasOtlpMetricsEndpoint(env: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT));
}

/** Check the metrics code options. @throws TypeError naming the offending option (URLs and secrets not echoed). */
export function validateMetricsOptions(o: Record<string, unknown>): void {
  expectChoices(o, 'metricsExporter', METRICS_EXPORTERS);
  expectHttpUrl(o, 'pushgatewayUrl');
  const labels = o.pushgatewayLabels;
  if (labels !== undefined) {
    if (!isPlainObject(labels)) throw optionValueError('pushgatewayLabels', ' must be an object of string values', labels);
    for (const [key, value] of Object.entries(labels)) {
      const problem = pushLabelProblem(key) ?? (typeof value === 'string' ? undefined : `the value of ${quote(key)} is not a string`);
      if (problem) throw optionError('pushgatewayLabels', `: ${problem}`);
    }
  }
  expectNonNegative(o, 'pushIntervalMs');
}
