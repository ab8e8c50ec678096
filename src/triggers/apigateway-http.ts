/** API Gateway HTTP APIs (payload format 2.0): the route template is the path part of `routeKey`. */
import { describeHttp } from './http.ts';
import { bagField, field, stringField, type Bag } from './read.ts';
import type { TriggerDetector, TriggerInfo } from './types.ts';

export const apiGatewayHttp: TriggerDetector = {
  source: 'aws:apigateway:http',
  matches: (event) => stringField(event, 'version') === '2.0' && hasHttpContext(event),
  describe(event) {
    const stage = stringField(bagField(event, 'requestContext'), 'stage');
    return describePayloadV2(event, this.source, routeFromRouteKey(stringField(event, 'routeKey')), {
      'aws.api_gateway.stage': stage,
    });
  },
};

/** Payload format 2.0 carries the request line in `requestContext.http`. */
export function hasHttpContext(event: Bag): boolean {
  return bagField(bagField(event, 'requestContext'), 'http') !== undefined;
}

/** The HTTP description of a payload-2.0 event (HTTP APIs and function URLs share the shape). */
export function describePayloadV2(
  event: Bag,
  source: string,
  route: string | undefined,
  extraAttributes: Record<string, string | undefined> = {},
): TriggerInfo {
  const requestContext = bagField(event, 'requestContext');
  const http = bagField(requestContext, 'http');
  return describeHttp({
    source,
    method: stringField(http, 'method'),
    route,
    path: stringField(event, 'rawPath') ?? stringField(http, 'path'),
    headers: field(event, 'headers'),
    extraAttributes: { 'server.address': stringField(requestContext, 'domainName'), ...extraAttributes },
  });
}

/** `"POST /orders/{id}"` → `/orders/{id}`; `$default` has no template. */
export function routeFromRouteKey(routeKey: string | undefined): string | undefined {
  if (!routeKey || routeKey === '$default') return undefined;
  const space = routeKey.indexOf(' ');
  return space === -1 ? routeKey : routeKey.slice(space + 1);
}
