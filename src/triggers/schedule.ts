/** EventBridge (CloudWatch Events) schedules: `faas.trigger=timer`, named after the function. */
import { isEventBridge, isScheduled } from './eventbridge.ts';
import { arnName, arrayField, stringField } from './read.ts';
import type { AttributeValue, TriggerDetector } from './types.ts';

export const schedule: TriggerDetector = {
  source: 'aws:scheduler',
  matches: (event) => isEventBridge(event) && isScheduled(event),
  describe(event) {
    const attributes: Record<string, AttributeValue> = {};
    const time = stringField(event, 'time');
    if (time) attributes['faas.time'] = time;
    const rule = arrayField(event, 'resources')?.[0];
    if (typeof rule === 'string') attributes['aws.eventbridge.rule'] = arnName(rule)?.replace(/^rule\//, '') ?? rule;
    return {
      trigger: 'timer',
      source: this.source,
      spanName: undefined,
      spanKind: 'server',
      attributes,
      parentCarrier: undefined,
      linkCarriers: [],
      http: undefined,
      warnings: [],
    };
  },
};
