/** API Gateway HTTP APIs (payload format 2.0): the route template is the path part of `routeKey`. */
import { describeHttp } from './http.ts';
import { bagField, field, stringField } from './read.ts';
import type { TriggerDetector } from './types.ts';

export const apiGatewayHttp: TriggerDetector = {
  source: 'aws:apigateway:http',
  matches: (event) =>
    stringField(event, 'version') === '2.0' && bagField(bagField(event, 'requestContext'), 'http') !== undefined,
  describe(event) {
    const requestContext = bagField(event, 'requestContext');
    const http = bagField(requestContext, 'http');
    return describeHttp({
      source: this.source,
      method: stringField(http, 'method'),
      route: routeFromRouteKey(stringField(event, 'routeKey')),
      path: stringField(event, 'rawPath') ?? stringField(http, 'path'),
      headers: field(event, 'headers'),
      extraAttributes: {
        'server.address': stringField(requestContext, 'domainName'),
        'aws.api_gateway.stage': stringField(requestContext, 'stage'),
      },
    });
  },
};

/** `"POST /orders/{id}"` → `/orders/{id}`; `$default` has no template. */
export function routeFromRouteKey(routeKey: string | undefined): string | undefined {
  if (!routeKey || routeKey === '$default') return undefined;
  const space = routeKey.indexOf(' ');
  return space === -1 ? routeKey : routeKey.slice(space + 1);
}
