/** Kinesis, DynamoDB Streams and S3 notifications: record batches that carry no trace context. */
import { describeMessaging } from './messaging.ts';
import { arrayField, arnName, asBag, bagField, stringField } from './read.ts';
import type { TriggerDetector } from './types.ts';

const SYSTEMS: Record<string, { system: string; trigger: 'pubsub' | 'datasource' }> = {
  'aws:kinesis': { system: 'aws_kinesis', trigger: 'pubsub' },
  'aws:dynamodb': { system: 'aws_dynamodb', trigger: 'datasource' },
  'aws:s3': { system: 'aws_s3', trigger: 'datasource' },
};

function recordSource(event: Record<string, unknown>): string | undefined {
  const first = asBag(arrayField(event, 'Records')?.[0]);
  return stringField(first, 'eventSource');
}

export const streams: TriggerDetector = {
  source: 'aws:stream',
  matches: (event) => {
    const source = recordSource(event);
    return source !== undefined && source in SYSTEMS;
  },
  describe(event) {
    const source = recordSource(event) ?? 'aws:stream';
    const records = arrayField(event, 'Records') ?? [];
    const first = asBag(records[0]);
    const destination =
      arnName(stringField(first, 'eventSourceARN'))?.split('/')[0] ??
      stringField(bagField(bagField(first, 's3'), 'bucket'), 'name');
    const { system, trigger } = SYSTEMS[source] ?? { system: source, trigger: 'datasource' as const };
    return describeMessaging({
      source,
      system,
      trigger,
      destination,
      carriers: records.map(() => undefined),
    });
  },
};
