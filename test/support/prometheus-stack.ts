// Entry point for integration tests that need a real Pushgateway scraped by
// a real Prometheus. The servers come from Debian packages installed by
// .ci/install-servers.sh; a test never skips when they are missing, because
// a skipped test would let CI go green without testing the push path.
import { accessSync, constants } from 'node:fs';
import { PROMETHEUS_BIN, startPrometheus } from './prometheus.ts';
import { PUSHGATEWAY_BIN, startPushgateway } from './pushgateway.ts';
import type { Prometheus } from './prometheus.ts';
import type { Pushgateway } from './pushgateway.ts';

export { PROMETHEUS_BIN, prometheusConfig, startPrometheus } from './prometheus.ts';
export type { Prometheus, PrometheusOptions, Sample } from './prometheus.ts';
export { PUSHGATEWAY_BIN, startPushgateway } from './pushgateway.ts';
export type {
  PushedFamily,
  PushedSample,
  PushGroup,
  Pushgateway,
  PushgatewayOptions,
  PushgatewayResponse,
} from './pushgateway.ts';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Throws, naming what is missing and how to get it, unless both server binaries are installed. */
export function requireBinaries(): void {
  const missing = [PUSHGATEWAY_BIN, PROMETHEUS_BIN].filter((bin) => !isExecutable(bin));
  if (missing.length === 0) return;
  const hint = process.env.CI
    ? '.ci/run must run `bash .ci/install-servers.sh` before the tests.'
    : 'Install them with `bash .ci/install-servers.sh` (apt-get, needs root or sudo).';
  throw new Error(`Missing server binaries for integration tests: ${missing.join(', ')}. ${hint}`);
}

export interface PrometheusStack {
  pushgateway: Pushgateway;
  prometheus: Prometheus;
  /** Stops both; safe to call twice. */
  stop(): Promise<void>;
}

/** requireBinaries(), then a Pushgateway and a Prometheus scraping it every second. */
export async function startStack(): Promise<PrometheusStack> {
  requireBinaries();
  const pushgateway = await startPushgateway();
  let prometheus: Prometheus;
  try {
    prometheus = await startPrometheus(pushgateway.url);
  } catch (err) {
    await pushgateway.stop();
    throw err;
  }
  return {
    pushgateway,
    prometheus,
    async stop() {
      await Promise.all([prometheus.stop(), pushgateway.stop()]);
    },
  };
}
