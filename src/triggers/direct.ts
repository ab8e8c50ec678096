/**
 * Direct invocations (SDK `Invoke`, Step Functions, tests). The caller's context, if any, travels
 * in the client context's `custom` map, which the runtime puts on the Lambda context object.
 */
import { asBag, bagField, carrierFrom } from './read.ts';
import type { TriggerDetector } from './types.ts';

export const direct: TriggerDetector = {
  source: 'aws:lambda:invoke',
  matches: () => true,
  describe(_event, context) {
    const custom = bagField(asBag(context.clientContext), 'custom') ?? bagField(asBag(context.clientContext), 'Custom');
    return {
      trigger: 'other',
      source: this.source,
      spanName: undefined,
      spanKind: 'server',
      attributes: {},
      parentCarrier: carrierFrom(custom),
      linkCarriers: [],
      http: undefined,
      warnings: [],
    };
  },
};
