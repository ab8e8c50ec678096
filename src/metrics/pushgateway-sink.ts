/**
 * The Pushgateway sink: write the exposition text (./prometheus-text.ts), PUT the environment's
 * group; at shutdown DELETE it, so environments that are gone do not linger as groups.
 */
import { createGroupWriter } from './exposition.ts';
import { createPushgatewayClient, type PushgatewayTarget } from './pushgateway-client.ts';
import type { MetricsSink } from './push-scheduler.ts';
import type { MetricsWarn } from './warn.ts';

/** A sink that PUTs each push to the environment's group and DELETEs the group at shutdown; never rejects. */
export function createPushgatewaySink(target: PushgatewayTarget, warn: MetricsWarn): MetricsSink {
  const writer = createGroupWriter(target.labels, warn);
  const client = createPushgatewayClient(target);
  return {
    name: 'pushgateway',
    target: client.groupUrl,
    // Not an async function: its frame would keep the collected metrics alive across the HTTP
    // round trip (they would survive scavenges and be promoted); only the text goes on.
    export(resourceMetrics, deadline) {
      let body: string;
      try {
        body = writer(resourceMetrics);
      } catch (error) {
        return Promise.resolve({ reason: 'rejected', detail: `could not serialize metrics: ${error instanceof Error ? error.message : String(error)}` });
      }
      return client.send('PUT', body, deadline);
    },
    async shutdown(deadline) {
      const failure = await client.send('DELETE', undefined, deadline);
      client.close();
      return failure;
    },
  };
}
