/**
 * The attributes that describe this execution environment (OTel resource), derived from Lambda's
 * own environment variables only: no network calls, nothing slow at cold start.
 */
import { SDK_INFO } from '@opentelemetry/core';
import type { Config } from './config.ts';
import { eachPair } from './config/env-values.ts';

export type ResourceAttributes = Record<string, string | number>;

/** Resource attributes per the OTel cloud and FaaS semantic conventions, plus OTEL_RESOURCE_ATTRIBUTES. */
export function resourceAttributes(config: Config): ResourceAttributes {
  const attributes: ResourceAttributes = {
    ...parseResourceAttributes(config.env.OTEL_RESOURCE_ATTRIBUTES),
    'service.name': config.serviceName,
    'service.version': config.serviceVersion,
    'cloud.provider': 'aws',
    'cloud.platform': 'aws_lambda',
    'faas.name': config.functionName,
    'faas.version': config.functionVersion,
    // telemetry.sdk.name/language/version and process.runtime.name, as the SDK reports itself.
    ...(SDK_INFO as Record<string, string>),
    'telemetry.distro.name': 'lambda-observe',
  };
  // The account id is not in Lambda's environment; each span carries it from the invoked ARN.
  // A user who knows it can set it with OTEL_RESOURCE_ATTRIBUTES=cloud.account.id=…, kept above.
  if (config.region) attributes['cloud.region'] = config.region;
  if (config.logStreamName) attributes['faas.instance'] = config.logStreamName;
  if (config.memoryMb !== undefined) attributes['faas.max_memory'] = config.memoryMb * 1024 * 1024;
  return attributes;
}

/** `key=value,key2=value2` with percent-encoded values, per the OTel spec; bad pairs are skipped. */
export function parseResourceAttributes(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  // A pair without a key or with a bad percent-escape is dropped, as the spec allows.
  if (!raw) return out;
  eachPair(raw, (key, value) => {
    if (key !== undefined && value !== undefined) out[key] = value;
  });
  return out;
}
