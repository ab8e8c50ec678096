/**
 * The Pushgateway sink: write the exposition text (./prometheus-text.ts), PUT the environment's
 * group; at shutdown DELETE it, so environments that are gone do not linger as groups.
 *
 * The text writer and the HTTP client are imported lazily (started in INIT by metrics.ts when a
 * Pushgateway is configured): a function that pushes nowhere must not load them at its cold start.
 */
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { PrometheusTextWriter } from './prometheus-text.ts';
import type { PushFailure, PushgatewayClient, PushgatewayTarget } from './pushgateway-client.ts';
import { takePreconnected } from '../preconnect.ts';
import type { MetricsSink } from './push-scheduler.ts';
import type { MetricsWarn } from './warn.ts';

let loading: Promise<typeof import('./pushgateway-push.ts')> | undefined;

/** Start (or join) the import of the exposition writer and the client; call early so the first push does not wait for them. */
export function loadPrometheusWriter(): Promise<typeof import('./pushgateway-push.ts')> {
  loading ??= import('./pushgateway-push.ts');
  return loading;
}

interface Loaded {
  readonly writer: PrometheusTextWriter;
  readonly client: PushgatewayClient;
}

/** A sink that PUTs each push to the environment's group and DELETEs the group at shutdown; never rejects. */
export function createPushgatewaySink(target: PushgatewayTarget, warn: MetricsWarn): MetricsSink {
  let loaded: Loaded | undefined;
  const ready = loadPrometheusWriter().then(({ createGroupWriter, createPushgatewayClient }) => {
    loaded = { writer: createGroupWriter(target.labels, warn), client: createPushgatewayClient(target, takePreconnected) };
    return loaded;
  });
  ready.catch(() => undefined);
  const notLoaded = (error: unknown): PushFailure => ({ reason: 'rejected', detail: `could not load the Prometheus text writer: ${String(error)}` });
  return {
    name: 'pushgateway',
    // The group's URL once the client is loaded (failures are reported after that), the gateway's before.
    get target() {
      return loaded?.client.groupUrl ?? target.url;
    },
    // Not an async function: its frame would keep the collected metrics alive across the HTTP
    // round trip (they would survive scavenges and be promoted); only the text goes on.
    export(resourceMetrics, deadline) {
      if (loaded) return put(loaded, resourceMetrics, deadline);
      return ready.then((now) => put(now, resourceMetrics, deadline), notLoaded);
    },
    shutdown(deadline) {
      return ready.then(async ({ client }) => {
        const failure = await client.send('DELETE', undefined, deadline);
        client.close();
        return failure;
      }, notLoaded);
    },
  };
}

function put({ client, writer }: Loaded, resourceMetrics: ResourceMetrics, deadline: number): Promise<PushFailure> {
  let body: Buffer;
  try {
    // Encoded once, here: the body is kept for a retry until the answer comes, and V8 runs its
    // young-generation collections while the process waits for it. A string would be copied by
    // every one of them (and make V8 grow its new space); the bytes of a Buffer are not on the
    // JavaScript heap. The socket would encode the string the same way when writing it.
    body = Buffer.from(writer(resourceMetrics), 'utf8');
  } catch (error) {
    return Promise.resolve({ reason: 'rejected', detail: `could not serialize metrics: ${error instanceof Error ? error.message : String(error)}` });
  }
  return client.send('PUT', body, deadline);
}
