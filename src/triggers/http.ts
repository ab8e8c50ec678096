/**
 * The part every HTTP source shares: span name `{method} {route}`, HTTP semantic-convention
 * attributes, and the W3C parent read from the request headers.
 */
import { propagationCarrier, readHeaders } from './read.ts';
import type { AttributeValue, TriggerInfo } from './types.ts';

export interface HttpRequestParts {
  readonly source: string;
  readonly method: string | undefined;
  readonly route: string | undefined;
  readonly path: string | undefined;
  readonly headers: unknown;
  readonly multiValueHeaders?: unknown;
  readonly extraAttributes?: Record<string, AttributeValue | undefined>;
}

export function describeHttp(parts: HttpRequestParts): TriggerInfo {
  const { headers, malformed } = readHeaders(parts.headers, parts.multiValueHeaders);
  const method = (parts.method ?? 'GET').toUpperCase();
  const attributes: Record<string, AttributeValue> = {
    'http.request.method': method,
  };
  if (parts.route) attributes['http.route'] = parts.route;
  if (parts.path) attributes['url.path'] = stripQuery(parts.path);
  const userAgent = headers['user-agent'];
  if (userAgent) attributes['user_agent.original'] = userAgent;
  const extra = parts.extraAttributes;
  if (extra) {
    // The detectors' own object literals: no inherited keys, no getters.
    for (const key in extra) {
      const value = extra[key];
      if (value !== undefined) attributes[key] = value;
    }
  }
  return {
    trigger: 'http',
    source: parts.source,
    spanName: parts.route ? `${method} ${parts.route}` : method,
    spanKind: 'server',
    attributes,
    parentCarrier: propagationCarrier(headers),
    linkCarriers: NONE,
    http: { method, route: parts.route, headers },
    warnings: malformed.length === 0 ? NONE : malformed.map((name) => `${parts.source}: header "${name}" is not a string; ignored`),
  };
}

/** The empty list of links and of warnings, shared: TriggerInfo's lists are read-only. */
const NONE: readonly never[] = Object.freeze([]);

/** Query strings carry tokens and PII; a path attribute never includes one. */
function stripQuery(path: string): string {
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}
