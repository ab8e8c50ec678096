/** Application Load Balancer target groups: no route template; headers may be multi-value. */
import { describeHttp } from './http.ts';
import { arnName, bagField, field, stringField } from './read.ts';
import type { TriggerDetector } from './types.ts';

export const alb: TriggerDetector = {
  source: 'aws:elb',
  matches: (event) => bagField(bagField(event, 'requestContext'), 'elb') !== undefined,
  describe(event) {
    const targetGroupArn = stringField(bagField(bagField(event, 'requestContext'), 'elb'), 'targetGroupArn');
    return describeHttp({
      source: this.source,
      method: stringField(event, 'httpMethod'),
      route: undefined,
      path: stringField(event, 'path'),
      headers: field(event, 'headers'),
      multiValueHeaders: field(event, 'multiValueHeaders'),
      extraAttributes: { 'aws.elb.target_group': arnName(targetGroupArn)?.split('/')[1] },
    });
  },
};
