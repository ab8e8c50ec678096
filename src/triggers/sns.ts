/** SNS: W3C context in `Sns.MessageAttributes` (`{ Type, Value }`). */
import { describeMessaging } from './messaging.ts';
import { arrayField, arnName, asBag, bagField, carrierFrom, stringField } from './read.ts';
import type { TriggerDetector } from './types.ts';

export const sns: TriggerDetector = {
  source: 'aws:sns',
  matches: (event) => stringField(asBag(arrayField(event, 'Records')?.[0]), 'EventSource') === 'aws:sns',
  describe(event) {
    const records = arrayField(event, 'Records') ?? [];
    const carriers = records.map((raw) =>
      carrierFrom(bagField(bagField(asBag(raw), 'Sns'), 'MessageAttributes'), (attr) => stringField(asBag(attr), 'Value')),
    );
    const firstSns = bagField(asBag(records[0]), 'Sns');
    return describeMessaging({
      source: this.source,
      system: 'aws_sns',
      destination: arnName(stringField(firstSns, 'TopicArn')),
      carriers,
      messageId: stringField(firstSns, 'MessageId'),
    });
  },
};
