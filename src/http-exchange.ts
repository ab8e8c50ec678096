/**
 * The HTTP side of an invocation: the request id that comes in, and the status and `X-Request-ID`
 * that go back. Pure functions: the lifecycle decides what to warn about and when to call them.
 */
import type { Carrier, TriggerInfo } from './triggers/types.ts';

/** A caller's `X-Request-ID` is echoed into logs and headers: accept only a sane token. */
const REQUEST_ID_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** The caller's `X-Request-ID` if it is a sane token, else `fallback` (the AWS request id). */
export function requestIdOf(headers: Carrier | undefined, fallback: string): { requestId: string; malformed: boolean } {
  const header = headers?.['x-request-id'];
  if (header === undefined) return { requestId: fallback, malformed: false };
  if (REQUEST_ID_PATTERN.test(header)) return { requestId: header, malformed: false };
  return { requestId: fallback, malformed: true };
}

/** An HTTP response with `X-Request-ID` added, unless it has one (any case); anything else as it is. */
export function withRequestIdHeader<R>(result: R, requestId: string): R {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return result;
  const response = result as Record<string, unknown>;
  if (typeof response.statusCode !== 'number') return result;
  const headers = response.headers;
  if (headers !== undefined && (headers === null || typeof headers !== 'object')) return result;
  const existing = Object.keys(headers ?? {}).some((name) => name.toLowerCase() === 'x-request-id');
  if (existing) return result;
  // A copy: the handler may reuse its response object, and we never mutate what it returned.
  return { ...response, headers: { ...(headers as object | undefined), 'X-Request-ID': requestId } } as R;
}

/** The status the caller gets for `result`, when the trigger is HTTP. */
export function httpStatusOf(trigger: TriggerInfo, result: unknown): number | undefined {
  if (!trigger.http) return undefined;
  if (result !== null && typeof result === 'object') {
    const status = (result as Record<string, unknown>).statusCode;
    if (typeof status === 'number' && Number.isInteger(status)) return status;
  }
  // API Gateway HTTP APIs and function URLs answer 200 for any non-response result.
  return trigger.source === 'aws:apigateway:rest' || trigger.source === 'aws:elb' ? undefined : 200;
}
