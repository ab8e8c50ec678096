// A real Prometheus server (Debian's /usr/bin/prometheus) on a random
// loopback port that scrapes one Pushgateway every second, so tests can
// assert what a user's PromQL would see, not just what was pushed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './child-process.ts';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

const REQUEST_TIMEOUT_MS = 5_000;
const POLL_MS = 250;
const DEFAULT_WAIT_MS = 20_000;

/** One element of an instant-vector result. */
export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface Prometheus {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  /** Milliseconds from spawn until /-/ready answered. */
  readonly startupMs: number;
  /** `performance.now()` at spawn, to measure how long the first scrape took. */
  readonly startedAt: number;
  /** Instant query; throws on a PromQL error or a non-vector result. */
  query(promql: string): Promise<Sample[]>;
  /**
   * Polls `query(promql)` every 250 ms until `predicate` holds and returns
   * that result; on timeout throws with the last result. Needed because the
   * first scrape lands seconds after start and each later one up to 1 s late.
   */
  waitFor(promql: string, predicate: (result: Sample[]) => boolean, timeoutMs?: number): Promise<Sample[]>;
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  readyTimeoutMs?: number;
}

/** Scrape config: the Pushgateway's own job/instance labels must win over the scrape target's (honor_labels). */
export function prometheusConfig(pushgatewayUrl: string): string {
  const target = new URL(pushgatewayUrl).host;
  return [
    'global:',
    '  scrape_interval: 1s',
    // Must not exceed the interval; spelled out rather than relying on the clamp.
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: pushgateway',
    '    honor_labels: true',
    '    static_configs:',
    `      - targets: ['${target}']`,
    '',
  ].join('\n');
}

// Prometheus writes "+Inf", "-Inf" and "NaN", which Number() only partly understands.
function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

interface QueryResponse {
  status: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

export async function startPrometheus(pushgatewayUrl: string, options: PrometheusOptions = {}): Promise<Prometheus> {
  const server = await startServer({
    name: 'prometheus',
    command: PROMETHEUS_BIN,
    setup: (_port, dir) => writeFileSync(join(dir, 'prometheus.yml'), prometheusConfig(pushgatewayUrl)),
    args: (port, dir) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Only warnings and errors: the info lines on every start are noise in test output.
      '--log.level=warn',
    ],
    readyPath: '/-/ready',
    readyTimeoutMs: options.readyTimeoutMs,
  });

  const query = async (promql: string): Promise<Sample[]> => {
    const res = await fetch(`${server.url}/api/v1/query?${new URLSearchParams({ query: promql })}`, {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    let body: QueryResponse;
    try {
      body = JSON.parse(text) as QueryResponse;
    } catch {
      throw new Error(`prometheus query ${promql} answered ${res.status}: ${text}`);
    }
    if (body.status !== 'success' || !body.data) {
      throw new Error(`prometheus query ${promql} failed (${res.status} ${body.errorType}): ${body.error}`);
    }
    if (body.data.resultType !== 'vector') {
      throw new Error(`prometheus query ${promql} returned a ${body.data.resultType}, expected a vector`);
    }
    return body.data.result.map(({ metric, value }) => ({ metric, value: parseSampleValue(value[1]) }));
  };

  const waitFor = async (
    promql: string,
    predicate: (result: Sample[]) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<Sample[]> => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      // Query errors (bad PromQL, server gone) are not retried: waiting cannot fix them.
      const result = await query(promql);
      if (predicate(result)) return result;
      if (performance.now() + POLL_MS > deadline) {
        throw new Error(
          `prometheus: ${promql} did not satisfy the predicate within ${timeoutMs} ms; last result: ${JSON.stringify(result)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };

  return {
    url: server.url,
    startupMs: server.startupMs,
    startedAt: server.startedAt,
    query,
    waitFor,
    logTail: server.logTail,
    stop: server.stop,
  };
}
