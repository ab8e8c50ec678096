/**
 * The loopback receivers the variants export to, and what each one counts: the real OTLP
 * receiver of the test suite (decodes what it gets, so a broken exporter shows as zero spans), the
 * real Pushgateway binary (push sizes from its own /metrics), and a UDP socket standing in for the
 * X-Ray daemon (Powertools' tracer). Counts are cumulative; the harness takes differences around
 * each child.
 *
 * The receivers run in the harness process, never in the measured one: their CPU is not charged
 * to the variant (but on a 2-core machine they do compete with it, alike for every exporter).
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkCounts {
  otlpRequests: number;
  otlpBytes: number;
  /** Spans the OTLP receiver decoded (0 with the counting fallback). */
  spans: number;
  pushRequests: number;
  /** Request sizes as the Pushgateway counts them (body and headers). */
  pushBytes: number;
  /** Pushes answered with a non-2xx status. */
  pushFailures: number;
  xrayPackets: number;
  xrayBytes: number;
}

export interface Sinks {
  readonly otlpUrl: string;
  /** 'receiver' (test/support/otlp-receiver.ts, decoding) or 'counting' (bytes only). */
  readonly otlpKind: string;
  /** Undefined when no Pushgateway binary is installed (run .ci/install-servers.sh). */
  readonly pushgatewayUrl: string | undefined;
  readonly xrayAddress: string;
  readonly notes: readonly string[];
  counts(): Promise<SinkCounts>;
  close(): Promise<void>;
}

export const ZERO_COUNTS: SinkCounts = Object.freeze({
  otlpRequests: 0,
  otlpBytes: 0,
  spans: 0,
  pushRequests: 0,
  pushBytes: 0,
  pushFailures: 0,
  xrayPackets: 0,
  xrayBytes: 0,
});

export function diffCounts(after: SinkCounts, before: SinkCounts): SinkCounts {
  const out = { ...ZERO_COUNTS };
  for (const key of Object.keys(out) as (keyof SinkCounts)[]) out[key] = after[key] - before[key];
  return out;
}

interface OtlpSink {
  url: string;
  kind: string;
  /** Take what arrived since the last drain (and forget it, so a long run does not grow the harness). */
  drain(): { requests: number; bytes: number; spans: number };
  close(): Promise<void>;
}

export async function startSinks(): Promise<Sinks> {
  const notes: string[] = [];
  const otlp = await startOtlpSink(notes);
  const pushgateway = await startPushgatewaySink(notes);
  const xray = await startUdpSink();
  const totals = { otlpRequests: 0, otlpBytes: 0, spans: 0 };
  const drain = (): void => {
    const got = otlp.drain();
    totals.otlpRequests += got.requests;
    totals.otlpBytes += got.bytes;
    totals.spans += got.spans;
  };
  // Long runs export tens of thousands of requests: keep the harness's memory flat.
  const drainTimer = setInterval(drain, 500);
  drainTimer.unref();
  return {
    otlpUrl: otlp.url,
    otlpKind: otlp.kind,
    pushgatewayUrl: pushgateway?.url,
    xrayAddress: `127.0.0.1:${xray.port}`,
    notes,
    async counts() {
      drain();
      const push = pushgateway ? await pushgateway.counts() : { requests: 0, bytes: 0, failures: 0 };
      return {
        ...totals,
        pushRequests: push.requests,
        pushBytes: push.bytes,
        pushFailures: push.failures,
        xrayPackets: xray.packets,
        xrayBytes: xray.bytes,
      };
    },
    async close() {
      clearInterval(drainTimer);
      await Promise.allSettled([otlp.close(), pushgateway?.stop(), new Promise<void>((r) => xray.socket.close(() => r()))]);
    },
  };
}

async function startOtlpSink(notes: string[]): Promise<OtlpSink> {
  try {
    const { startOtlpReceiver } = await import('../../test/support/otlp-receiver.ts');
    const receiver = await startOtlpReceiver();
    return {
      url: receiver.url,
      kind: 'receiver',
      drain() {
        const requests = receiver.requests();
        const spans = receiver.batches().reduce((n, batch) => n + batch.spans.length, 0);
        receiver.reset();
        return { requests: requests.length, bytes: requests.reduce((n, r) => n + r.bytes, 0), spans };
      },
      close: () => receiver.close(),
    };
  } catch (error) {
    notes.push(`OTLP: test/support/otlp-receiver.ts unavailable (${(error as Error).message}); a counting sink answered instead`);
    return startCountingOtlpSink();
  }
}

/** Bytes-only stand-in: answers every POST with an empty OTLP/JSON success. */
async function startCountingOtlpSink(): Promise<OtlpSink> {
  let requests = 0;
  let bytes = 0;
  const server: Server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    kind: 'counting',
    drain() {
      const got = { requests, bytes, spans: 0 };
      requests = 0;
      bytes = 0;
      return got;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface PushgatewaySink {
  url: string;
  counts(): Promise<{ requests: number; bytes: number; failures: number }>;
  stop(): Promise<void>;
}

async function startPushgatewaySink(notes: string[]): Promise<PushgatewaySink | undefined> {
  try {
    const { existsSync } = await import('node:fs');
    const { PUSHGATEWAY_BIN, startPushgateway } = await import('../../test/support/prometheus-stack.ts');
    if (!existsSync(PUSHGATEWAY_BIN)) {
      notes.push(`Pushgateway: ${PUSHGATEWAY_BIN} missing (install with .ci/install-servers.sh); metrics push not measured`);
      return undefined;
    }
    const gateway = await startPushgateway();
    return {
      url: gateway.url,
      async counts() {
        return parsePushStats(await gateway.metricsText());
      },
      stop: () => gateway.stop(),
    };
  } catch (error) {
    notes.push(`Pushgateway: could not start (${(error as Error).message}); metrics push not measured`);
    return undefined;
  }
}

/** Sum the gateway's own push counters over every method (PUT, POST, DELETE). */
export function parsePushStats(text: string): { requests: number; bytes: number; failures: number } {
  let requests = 0;
  let bytes = 0;
  let failures = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('pushgateway_http_push_size_bytes_sum')) bytes += Number(line.slice(line.lastIndexOf(' ') + 1));
    else if (line.startsWith('pushgateway_http_push_size_bytes_count')) requests += Number(line.slice(line.lastIndexOf(' ') + 1));
    else if (line.startsWith('pushgateway_http_requests_total{') && /code="[^2]/.test(line) && /handler="(push|delete)"/.test(line)) {
      failures += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return { requests, bytes, failures };
}

interface UdpSink {
  socket: Socket;
  port: number;
  packets: number;
  bytes: number;
}

async function startUdpSink(): Promise<UdpSink> {
  const socket = createSocket('udp4');
  const sink: UdpSink = { socket, port: 0, packets: 0, bytes: 0 };
  socket.on('message', (message) => {
    sink.packets++;
    sink.bytes += message.length;
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  sink.port = socket.address().port;
  socket.unref();
  return sink;
}
