/** Lambda function URLs: 2.0-shaped events on a `*.lambda-url.*.on.aws` domain, with no route template. */
import { describePayloadV2, hasHttpContext } from './apigateway-http.ts';
import { bagField, stringField } from './read.ts';
import type { TriggerDetector } from './types.ts';

export const functionUrl: TriggerDetector = {
  source: 'aws:lambda:url',
  matches: (event) =>
    stringField(bagField(event, 'requestContext'), 'domainName')?.includes('.lambda-url.') === true && hasHttpContext(event),
  describe(event) {
    return describePayloadV2(event, this.source, undefined);
  },
};
