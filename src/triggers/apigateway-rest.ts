/** API Gateway REST APIs (payload format 1.0): `resource` is the route template. */
import { describeHttp } from './http.ts';
import { bagField, field, stringField } from './read.ts';
import type { TriggerDetector } from './types.ts';

export const apiGatewayRest: TriggerDetector = {
  source: 'aws:apigateway:rest',
  matches: (event) =>
    typeof field(event, 'httpMethod') === 'string' &&
    field(event, 'resource') !== undefined &&
    bagField(event, 'requestContext') !== undefined &&
    bagField(bagField(event, 'requestContext'), 'elb') === undefined,
  describe(event) {
    const requestContext = bagField(event, 'requestContext');
    return describeHttp({
      source: this.source,
      method: stringField(event, 'httpMethod'),
      route: stringField(event, 'resource'),
      path: stringField(event, 'path'),
      headers: field(event, 'headers'),
      multiValueHeaders: field(event, 'multiValueHeaders'),
      extraAttributes: {
        'server.address': stringField(requestContext, 'domainName'),
        'aws.api_gateway.stage': stringField(requestContext, 'stage'),
      },
    });
  },
};
