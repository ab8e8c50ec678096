/**
 * The exporters that send spans to a backend (OTLP/HTTP JSON or protobuf, Zipkin), loaded only
 * when selected: each pulls in its own dependencies (transformer, protobuf writer, semantic
 * conventions, node:http), which an unused exporter must not cost at cold start.
 *
 * The import is started when the wrapper's config is resolved (`observe()` runs during Lambda's
 * init phase) and awaited by the first export, so the first invocation does not pay for it.
 */
import type { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { TracesConfig } from '../config.ts';

/** The exporters that need a network and a lazy import. */
export type RemoteExporterName = 'otlp' | 'zipkin';

/** What an exporter is built from. */
export interface ExporterSettings {
  readonly traces: TracesConfig;
  /** Deadline of one export request, retries included. */
  readonly timeoutMs: number;
}

type ExporterFactory = (settings: ExporterSettings) => SpanExporter;
type ModuleKey = 'otlp-json' | 'otlp-proto' | 'zipkin';

const modules = new Map<ModuleKey, Promise<ExporterFactory>>();
const instances = new Map<string, Promise<SpanExporter>>();

/**
 * Start importing and building the exporter (idempotent, never rejects here: the first export
 * reports a failure). Once built, an OTLP exporter sends one empty export request: it opens the
 * keep-alive connection (TCP, TLS) and runs Node's HTTP client once, which would otherwise cost
 * the first invocation ≈ 10 ms plus the handshake. An empty request is valid OTLP; its answer is
 * ignored (a backend that is down is reported by real exports, not by this).
 */
export function preloadExporter(name: RemoteExporterName, settings: ExporterSettings): void {
  void loadExporter(name, settings)
    .then((exporter) => {
      if (name === 'otlp') exporter.export([], () => undefined);
    })
    .catch(() => undefined);
}

/** The exporter for these settings, built once its module is loaded. Rejects if the module cannot be imported. */
export function loadExporter(name: RemoteExporterName, settings: ExporterSettings): Promise<SpanExporter> {
  const key = `${name}|${settings.timeoutMs}|${JSON.stringify(settings.traces)}`;
  let instance = instances.get(key);
  if (!instance) {
    instance = loadFactory(name, settings.traces).then((factory) => factory(settings));
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

function moduleKey(name: RemoteExporterName, traces: TracesConfig): ModuleKey {
  if (name === 'zipkin') return 'zipkin';
  return traces.otlpProtocol === 'http/json' ? 'otlp-json' : 'otlp-proto';
}

function loadFactory(name: RemoteExporterName, traces: TracesConfig): Promise<ExporterFactory> {
  const key = moduleKey(name, traces);
  let loading = modules.get(key);
  if (!loading) {
    // The OTLP transport imports node:http(s) on its first export. As an ES module import that
    // evaluates http's lazy getters and loads undici (≈ 30 ms); the layer bundle routes it to
    // `process.getBuiltinModule` (infra/builtin-shims.ts), which costs nothing. Pre-importing it
    // here would bring the undici cost back, so it is deliberately not done.
    loading = importFactory(key);
    modules.set(key, loading);
  }
  return loading;
}

function importFactory(key: ModuleKey): Promise<ExporterFactory> {
  switch (key) {
    case 'otlp-json':
      return import('@opentelemetry/exporter-trace-otlp-http').then(
        ({ OTLPTraceExporter }) => (settings: ExporterSettings) => new OTLPTraceExporter(otlpOptions(settings)),
      );
    case 'otlp-proto':
      return import('@opentelemetry/exporter-trace-otlp-proto').then(
        ({ OTLPTraceExporter }) => (settings: ExporterSettings) => new OTLPTraceExporter(otlpOptions(settings)),
      );
    case 'zipkin':
      return import('@opentelemetry/exporter-zipkin').then(
        ({ ZipkinExporter }) => (settings: ExporterSettings) => new ZipkinExporter({ url: settings.traces.zipkinEndpoint }),
      );
  }
}

type OtlpOptions = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;

function otlpOptions(settings: ExporterSettings): OtlpOptions {
  const traces = settings.traces;
  return {
    url: traces.otlpEndpoint,
    headers: { ...traces.otlpHeaders },
    timeoutMillis: Math.max(1, Math.round(settings.timeoutMs)),
    // The SDK types this as an enum whose values are these very strings.
    compression: traces.otlpCompression as OtlpOptions['compression'],
    // One invocation's spans are one request; more in flight only pile up behind a slow backend.
    concurrencyLimit: 4,
  };
}
