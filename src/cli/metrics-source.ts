/**
 * The Prometheus exposition text of the run: the environment's metrics, collected from the same
 * reader and written by the same serializer as the Pushgateway push (src/metrics), so what is
 * shown is what a push sends — or sent, when `LAMBDA_OBSERVE_PUSHGATEWAY_URL` is set.
 */
import { resolveConfig } from '../config.ts';
import { environmentInstanceId } from '../metrics/instance-id.ts';
import { createPrometheusTextWriter } from '../metrics/prometheus-text.ts';
import { environmentMetrics } from '../metrics/provider.ts';
import { groupingPath } from '../metrics/pushgateway-client.ts';
import { metricsWarn } from '../metrics/warn.ts';
import { oneLine } from './errors.ts';

export interface Exposition {
  /** The text, or undefined when it could not be produced. */
  readonly text: string | undefined;
  /** Where it goes (or went), or why there is none. */
  readonly label: string;
}

const COLLECT_TIMEOUT_MS = 1000;

export async function currentExposition(): Promise<Exposition> {
  try {
    const config = resolveConfig(undefined);
    const settings = config.metrics;
    const labels = settings.pushgatewayLabels;
    const writer = await createPrometheusTextWriter({ reservedLabels: ['job', 'instance', ...Object.keys(labels)], warn: metricsWarn });
    const { resourceMetrics } = await environmentMetrics().reader.collect({ timeoutMillis: COLLECT_TIMEOUT_MS });
    const instance = environmentInstanceId(config.logStreamName);
    const group = `job=${config.serviceName} instance=${instance.slice(0, 8)}…`;
    const label = settings.pushgatewayUrl && settings.exporters.includes('prometheus')
      ? `pushed after each invocation: PUT ${settings.pushgatewayUrl}${groupingPath({ job: config.serviceName, instance, labels })}`
      : `not pushed (no LAMBDA_OBSERVE_PUSHGATEWAY_URL); its group: ${group}`;
    return { text: writer(resourceMetrics), label };
  } catch (error) {
    return { text: undefined, label: `(the exposition could not be written: ${oneLine(error)})` };
  }
}
