/**
 * The exporters that send spans to a backend (OTLP/HTTP JSON or protobuf, Zipkin), loaded only
 * when selected: each pulls in its own dependencies (transformer, protobuf writer, semantic
 * conventions, node:http), which an unused exporter must not cost at cold start.
 *
 * The import is started when the wrapper's config is resolved (`observe()` runs during Lambda's
 * init phase) and awaited by the first export, so the first invocation does not pay for it.
 */
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { TracesConfig } from '../config.ts';
import type { OtlpExporterOptions } from './otlp-exporter.ts';
import { preconnect, takePreconnected } from '../preconnect.ts';

/** The exporters that need a network and a lazy import. */
export type RemoteExporterName = 'otlp' | 'zipkin';

/** What an exporter is built from. */
export interface ExporterSettings {
  readonly traces: TracesConfig;
  /** Deadline of one export request, retries included. */
  readonly timeoutMs: number;
}

type ExporterFactory = (settings: ExporterSettings) => SpanExporter;

const modules = new Map<RemoteExporterName, Promise<ExporterFactory>>();
const instances = new Map<string, Promise<SpanExporter>>();
/** Exporters (by instance key) that were warmed up or that a real export already asked for. */
const connecting = new Set<string>();

/**
 * Start importing and building the exporter (idempotent, never rejects here: the first export
 * reports a failure), and open the connection to a plain-http endpoint now (../preconnect.ts): its
 * handshake and the server's accept then overlap the rest of init. Once built, an OTLP exporter
 * sends one empty export request: it opens the keep-alive connection (TCP, TLS) if none is open
 * and runs the HTTP client once, which would otherwise cost the first invocation a few ms. An empty request is valid OTLP; its answer is
 * ignored (a backend that is down is reported by real exports, not by this).
 *
 * Once per exporter, and not at all when a real export already waits for the exporter (the
 * invocation came before the module was loaded): that export opens the connection itself, and an
 * empty request beside it would only open a second one and run the first request's work twice.
 */
export function preloadExporter(name: RemoteExporterName, settings: ExporterSettings): void {
  const key = instanceKey(name, settings);
  if (name === 'otlp') preconnect(settings.traces.otlpEndpoint);
  void buildExporter(name, settings, key)
    .then((exporter) => {
      if (name !== 'otlp' || connecting.has(key)) return;
      connecting.add(key);
      exporter.export([], () => undefined);
    })
    .catch(() => undefined);
}

/** The exporter for these settings, built once its module is loaded. Rejects if the module cannot be imported. */
export function loadExporter(name: RemoteExporterName, settings: ExporterSettings): Promise<SpanExporter> {
  const key = instanceKey(name, settings);
  connecting.add(key);
  return buildExporter(name, settings, key);
}

function instanceKey(name: RemoteExporterName, settings: ExporterSettings): string {
  return `${name}|${settings.timeoutMs}|${JSON.stringify(settings.traces)}`;
}

function buildExporter(name: RemoteExporterName, settings: ExporterSettings, key: string): Promise<SpanExporter> {
  let instance = instances.get(key);
  if (!instance) {
    instance = loadFactory(name).then((factory) => factory(settings));
    instances.set(key, instance);
  }
  return instance;
}

/** The URL an exporter sends to, for messages: without credentials or query (both can hold secrets). */
export function exporterEndpoint(name: RemoteExporterName, traces: TracesConfig): string {
  const raw = name === 'otlp' ? traces.otlpEndpoint : traces.zipkinEndpoint;
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function loadFactory(name: RemoteExporterName): Promise<ExporterFactory> {
  let loading = modules.get(name);
  if (!loading) {
    loading = importFactory(name);
    modules.set(name, loading);
  }
  return loading;
}

function importFactory(name: RemoteExporterName): Promise<ExporterFactory> {
  switch (name) {
    case 'otlp':
      // OTLP/HTTP JSON and protobuf: the OpenTelemetry serializers behind a transport of ours that
      // takes node:http from `process.getBuiltinModule` (an ES module import of node:http loads
      // undici, ≈ 25 ms) and keeps per-export work to the request itself.
      return import('./otlp-exporter.ts').then(
        ({ createOtlpTraceExporter }) => (settings: ExporterSettings) => createOtlpTraceExporter(otlpOptions(settings)),
      );
    case 'zipkin':
      return import('@opentelemetry/exporter-zipkin').then(
        ({ ZipkinExporter }) => (settings: ExporterSettings) => new ZipkinExporter({ url: settings.traces.zipkinEndpoint }),
      );
  }
}

function otlpOptions(settings: ExporterSettings): OtlpExporterOptions {
  const traces = settings.traces;
  return {
    protocol: traces.otlpProtocol === 'http/json' ? 'http/json' : 'http/protobuf',
    url: traces.otlpEndpoint,
    headers: traces.otlpHeaders,
    timeoutMillis: Math.max(1, Math.round(settings.timeoutMs)),
    compression: traces.otlpCompression === 'gzip' ? 'gzip' : 'none',
    // One invocation's spans are one request; more in flight only pile up behind a slow backend.
    concurrencyLimit: 4,
    preconnected: takePreconnected,
  };
}
