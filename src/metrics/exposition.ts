/**
 * The Prometheus exposition text of this execution environment, exactly as the Pushgateway push
 * writes it. The push and the CLI's view both come through here, so what a user is shown locally
 * is what a push sends.
 */
import type { Config } from '../config.ts';
import { environmentInstanceId } from './instance-id.ts';
import { createPrometheusTextWriter, type PrometheusTextWriter } from './prometheus-text.ts';
import { environmentMetrics } from './provider.ts';
import { groupingPath } from './pushgateway-client.ts';
import type { MetricsWarn } from './warn.ts';

/**
 * A writer for one Pushgateway group: the grouping labels (`job`, `instance` and the static ones)
 * are reserved, so a metric attribute of the same name is renamed instead of clashing with them.
 */
export function createGroupWriter(staticLabels: Readonly<Record<string, string>>, warn: MetricsWarn): PrometheusTextWriter {
  return createPrometheusTextWriter({ reservedLabels: ['job', 'instance', ...Object.keys(staticLabels)], warn });
}

export interface Exposition {
  readonly text: string;
  /** The environment's group: `job`, `instance` and where a push would PUT it. */
  readonly job: string;
  readonly instance: string;
  readonly path: string;
}

/** Collect the environment's metrics now and write them as the push would. */
export async function renderExposition(config: Config, warn: MetricsWarn, timeoutMs: number): Promise<Exposition> {
  const labels = config.metrics.pushgatewayLabels;
  const writer = createGroupWriter(labels, warn);
  const { resourceMetrics } = await environmentMetrics().reader.collect({ timeoutMillis: timeoutMs });
  const instance = environmentInstanceId(config.logStreamName);
  return {
    text: writer(resourceMetrics),
    job: config.serviceName,
    instance,
    path: groupingPath({ job: config.serviceName, instance, labels }),
  };
}
