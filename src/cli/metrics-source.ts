/**
 * The Prometheus exposition text of the run: the environment's metrics, collected from the same
 * reader and written by the same serializer as the Pushgateway push (src/metrics), so what is
 * shown is what a push sends — or sent, when `LAMBDA_OBSERVE_PUSHGATEWAY_URL` is set.
 */
import { resolveConfig } from '../config.ts';
import { renderExposition } from '../metrics/exposition.ts';
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
    const exposition = await renderExposition(config, metricsWarn, COLLECT_TIMEOUT_MS);
    const group = `job=${exposition.job} instance=${exposition.instance.slice(0, 8)}…`;
    const label = settings.pushgatewayUrl && settings.exporters.includes('prometheus')
      ? `pushed after each invocation: PUT ${settings.pushgatewayUrl}${exposition.path}`
      : `not pushed (no LAMBDA_OBSERVE_PUSHGATEWAY_URL); its group: ${group}`;
    return { text: exposition.text, label };
  } catch (error) {
    return { text: undefined, label: `(the exposition could not be written: ${oneLine(error)})` };
  }
}
