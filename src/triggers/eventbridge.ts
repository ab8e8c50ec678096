/**
 * EventBridge custom events. EventBridge has no message headers, so producers that propagate put
 * `traceparent`/`tracestate` in `detail`, which is where we look.
 */
import { describeMessaging } from './messaging.ts';
import { bagField, carrierFrom, field, stringField } from './read.ts';
import type { TriggerDetector } from './types.ts';

export function isEventBridge(event: Record<string, unknown>): boolean {
  return typeof field(event, 'detail-type') === 'string' && typeof field(event, 'source') === 'string';
}

export const eventBridge: TriggerDetector = {
  source: 'aws:events',
  matches: (event) => isEventBridge(event) && !isScheduled(event),
  describe(event) {
    const info = describeMessaging({
      source: this.source,
      system: 'aws_eventbridge',
      destination: stringField(event, 'detail-type'),
      carriers: [carrierFrom(bagField(event, 'detail'))],
      messageId: stringField(event, 'id'),
    });
    return {
      ...info,
      attributes: { ...info.attributes, 'aws.eventbridge.source': stringField(event, 'source') ?? '' },
    };
  },
};

export function isScheduled(event: Record<string, unknown>): boolean {
  return stringField(event, 'source') === 'aws.events' && stringField(event, 'detail-type') === 'Scheduled Event';
}
