/**
 * The part queue and topic sources share. A batch is processed by one invocation, so each message
 * that carries a context becomes a span link; a batch of one also becomes the parent, which puts
 * the usual one-message consumer in its producer's trace.
 */
import type { AttributeValue, Carrier, TriggerInfo } from './types.ts';

export interface MessagingParts {
  readonly source: string;
  readonly system: string;
  readonly destination: string | undefined;
  readonly carriers: readonly (Carrier | undefined)[];
  readonly messageId?: string | undefined;
  readonly warnings?: readonly string[];
  readonly trigger?: 'pubsub' | 'datasource';
}

export function describeMessaging(parts: MessagingParts): TriggerInfo {
  const attributes: Record<string, AttributeValue> = {
    'messaging.system': parts.system,
    'messaging.operation.type': 'process',
    'messaging.batch.message_count': parts.carriers.length,
  };
  if (parts.destination) attributes['messaging.destination.name'] = parts.destination;
  if (parts.messageId && parts.carriers.length === 1) attributes['messaging.message.id'] = parts.messageId;
  const linkCarriers = parts.carriers.filter((c): c is Carrier => c !== undefined);
  return {
    trigger: parts.trigger ?? 'pubsub',
    source: parts.source,
    spanName: `process ${parts.destination ?? parts.system}`,
    spanKind: 'consumer',
    attributes,
    parentCarrier: parts.carriers.length === 1 ? parts.carriers[0] : undefined,
    linkCarriers,
    http: undefined,
    warnings: parts.warnings ?? [],
  };
}
