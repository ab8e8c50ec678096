/** Lambda function URLs: 2.0-shaped events on a `*.lambda-url.*.on.aws` domain, with no route template. */
import { describeHttp } from './http.ts';
import { bagField, field, stringField } from './read.ts';
import type { TriggerDetector } from './types.ts';

export const functionUrl: TriggerDetector = {
  source: 'aws:lambda:url',
  matches: (event) =>
    stringField(bagField(event, 'requestContext'), 'domainName')?.includes('.lambda-url.') === true &&
    bagField(bagField(event, 'requestContext'), 'http') !== undefined,
  describe(event) {
    const requestContext = bagField(event, 'requestContext');
    const http = bagField(requestContext, 'http');
    return describeHttp({
      source: this.source,
      method: stringField(http, 'method'),
      route: undefined,
      path: stringField(event, 'rawPath') ?? stringField(http, 'path'),
      headers: field(event, 'headers'),
      extraAttributes: { 'server.address': stringField(requestContext, 'domainName') },
    });
  },
};
