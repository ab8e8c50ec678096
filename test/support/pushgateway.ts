// A real Prometheus Pushgateway (Debian's /usr/bin/prometheus-pushgateway)
// on a random loopback port, with no persistence so every run starts empty.
import { startServer } from './child-process.ts';

export const PUSHGATEWAY_BIN = '/usr/bin/prometheus-pushgateway';

const REQUEST_TIMEOUT_MS = 5_000;

/** One sample of a pushed metric family, as /api/v1/metrics reports it. */
export interface PushedSample {
  labels: Record<string, string>;
  /** Kept as the string the Pushgateway sent ("1.5", "NaN", "+Inf"). */
  value: string;
}

export interface PushedFamily {
  /** COUNTER, GAUGE, SUMMARY, HISTOGRAM or UNTYPED. */
  type: string;
  help: string;
  /** Counters and gauges; summaries and histograms carry other fields. */
  metrics: PushedSample[];
}

/** One grouping key (e.g. {job, instance}) and what was pushed to it. */
export interface PushGroup {
  labels: Record<string, string>;
  /** False after a rejected push; the group then exists even if no push ever succeeded. */
  lastPushSuccessful: boolean;
  /** Sorted names of every family in the group, including push_time_seconds and push_failure_time_seconds. */
  metrics: string[];
  families: Record<string, PushedFamily>;
}

export interface PushgatewayResponse {
  status: number;
  body: string;
}

export interface Pushgateway {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  /** Milliseconds from spawn until /-/ready answered. */
  readonly startupMs: number;
  /** Deletes every group (admin API). */
  wipe(): Promise<void>;
  /** Every group, parsed from GET /api/v1/metrics. */
  groups(): Promise<PushGroup[]>;
  /** GET /metrics: what Prometheus scrapes (also the gateway's own go_* metrics). */
  metricsText(): Promise<string>;
  /** Raw request for tests that check status codes, e.g. `request('PUT', '/metrics/job/j1', body)`. */
  request(method: string, path: string, body?: string): Promise<PushgatewayResponse>;
  /** Last lines of the gateway's log (rejected pushes are logged at error level). */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

export interface PushgatewayOptions {
  readyTimeoutMs?: number;
}

interface ApiMetricsResponse {
  status: string;
  data: Array<{ labels: Record<string, string>; last_push_successful: boolean } & Record<string, unknown>>;
}

const GROUP_KEYS = new Set(['labels', 'last_push_successful']);

export async function startPushgateway(options: PushgatewayOptions = {}): Promise<Pushgateway> {
  const server = await startServer({
    name: 'pushgateway',
    command: PUSHGATEWAY_BIN,
    args: (port) => [
      `--web.listen-address=127.0.0.1:${port}`,
      // An empty value (not the two characters "") turns persistence off:
      // we spawn without a shell, so nothing strips quotes for us.
      '--persistence.file=',
      // Needed for PUT /api/v1/admin/wipe.
      '--web.enable-admin-api',
      // Rejected pushes are still logged (level=error); skip startup chatter.
      '--log.level=warn',
    ],
    readyPath: '/-/ready',
    readyTimeoutMs: options.readyTimeoutMs,
  });

  const request = async (method: string, path: string, body?: string): Promise<PushgatewayResponse> => {
    const res = await fetch(server.url + path, {
      method,
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return { status: res.status, body: await res.text() };
  };

  const expectStatus = async (method: string, path: string, ok: number[]): Promise<string> => {
    const res = await request(method, path);
    if (!ok.includes(res.status)) {
      throw new Error(`pushgateway ${method} ${path} answered ${res.status}: ${res.body}`);
    }
    return res.body;
  };

  return {
    url: server.url,
    startupMs: server.startupMs,
    request,
    logTail: server.logTail,
    stop: server.stop,

    async wipe() {
      await expectStatus('PUT', '/api/v1/admin/wipe', [202]);
    },

    async metricsText() {
      return expectStatus('GET', '/metrics', [200]);
    },

    async groups() {
      const parsed = JSON.parse(await expectStatus('GET', '/api/v1/metrics', [200])) as ApiMetricsResponse;
      if (parsed.status !== 'success') throw new Error(`pushgateway /api/v1/metrics: status ${parsed.status}`);
      return parsed.data.map((group) => {
        const families: Record<string, PushedFamily> = {};
        for (const [name, family] of Object.entries(group)) {
          if (!GROUP_KEYS.has(name)) families[name] = family as PushedFamily;
        }
        return {
          labels: group.labels,
          lastPushSuccessful: group.last_push_successful,
          metrics: Object.keys(families).sort(),
          families,
        };
      });
    },
  };
}
