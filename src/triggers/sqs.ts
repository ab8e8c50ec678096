/** SQS: W3C context in message attributes, or the X-Ray header AWS puts in `attributes.AWSTraceHeader`. */
import { describeMessaging } from './messaging.ts';
import { arrayField, arnName, asBag, bagField, carrierFrom, field, stringField } from './read.ts';
import type { Carrier, TriggerDetector } from './types.ts';

export const sqs: TriggerDetector = {
  source: 'aws:sqs',
  matches: (event) => stringField(asBag(arrayField(event, 'Records')?.[0]), 'eventSource') === 'aws:sqs',
  describe(event) {
    const records = arrayField(event, 'Records') ?? [];
    const warnings: string[] = [];
    const carriers = records.map((raw, index) => {
      const record = asBag(raw);
      const carrier = carrierFrom(bagField(record, 'messageAttributes'), (attr) => stringField(asBag(attr), 'stringValue'));
      const malformedAttr = asBag(field(bagField(record, 'messageAttributes'), 'traceparent'));
      if (malformedAttr && typeof field(malformedAttr, 'stringValue') !== 'string') {
        warnings.push(`aws:sqs: message attribute "traceparent" of record ${index} has no stringValue; ignored`);
      }
      const xray = stringField(bagField(record, 'attributes'), 'AWSTraceHeader');
      if (xray && !carrier?.['x-amzn-trace-id']) return { ...carrier, 'x-amzn-trace-id': xray } as Carrier;
      return carrier;
    });
    const first = asBag(records[0]);
    return describeMessaging({
      source: this.source,
      system: 'aws_sqs',
      destination: arnName(stringField(first, 'eventSourceARN')),
      carriers,
      messageId: stringField(first, 'messageId'),
      warnings,
    });
  },
};
