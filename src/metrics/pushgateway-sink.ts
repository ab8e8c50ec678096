/**
 * The Pushgateway sink: write the exposition text (./prometheus-text.ts), PUT the environment's
 * group; at shutdown DELETE it, so environments that are gone do not linger as groups.
 *
 * The text writer is imported lazily (started in INIT by metrics.ts when a Pushgateway is
 * configured): a function that pushes nowhere must not load it at its cold start.
 */
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { PrometheusTextWriter } from './prometheus-text.ts';
import { createPushgatewayClient, type PushFailure, type PushgatewayClient, type PushgatewayTarget } from './pushgateway-client.ts';
import type { MetricsSink } from './push-scheduler.ts';
import type { MetricsWarn } from './warn.ts';

let loading: Promise<typeof import('./exposition.ts')> | undefined;

/** Start (or join) the import of the exposition writer; call early so the first push does not wait for it. */
export function loadPrometheusWriter(): Promise<typeof import('./exposition.ts')> {
  loading ??= import('./exposition.ts');
  return loading;
}

/** A sink that PUTs each push to the environment's group and DELETEs the group at shutdown; never rejects. */
export function createPushgatewaySink(target: PushgatewayTarget, warn: MetricsWarn): MetricsSink {
  let writer: PrometheusTextWriter | undefined;
  const ready = loadPrometheusWriter().then(({ createGroupWriter }) => {
    writer = createGroupWriter(target.labels, warn);
    return writer;
  });
  ready.catch(() => undefined);
  const client = createPushgatewayClient(target);
  return {
    name: 'pushgateway',
    target: client.groupUrl,
    // Not an async function: its frame would keep the collected metrics alive across the HTTP
    // round trip (they would survive scavenges and be promoted); only the text goes on.
    export(resourceMetrics, deadline) {
      if (writer) return put(client, writer, resourceMetrics, deadline);
      return ready.then(
        (loaded) => put(client, loaded, resourceMetrics, deadline),
        (error: unknown) => ({ reason: 'rejected' as const, detail: `could not load the Prometheus text writer: ${String(error)}` }),
      );
    },
    async shutdown(deadline) {
      const failure = await client.send('DELETE', undefined, deadline);
      client.close();
      return failure;
    },
  };
}

function put(client: PushgatewayClient, writer: PrometheusTextWriter, resourceMetrics: ResourceMetrics, deadline: number): Promise<PushFailure> {
  let body: string;
  try {
    body = writer(resourceMetrics);
  } catch (error) {
    return Promise.resolve({ reason: 'rejected', detail: `could not serialize metrics: ${error instanceof Error ? error.message : String(error)}` });
  }
  return client.send('PUT', body, deadline);
}
