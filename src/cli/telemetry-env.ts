/**
 * The CLI reads spans from the console exporter, so `console` is always among the trace
 * exporters; what the user configured (OTLP to Jaeger, Zipkin) stays, so the same run shows up
 * there too. Set through the environment because a handler that wrapped itself with observe()
 * reads it there as well.
 */

const KNOWN = new Set(['otlp', 'zipkin', 'console', 'none']);

/** Make `OTEL_TRACES_EXPORTER` include `console`, keeping the user's exporters. Returns the others. */
export function ensureConsoleExporter(env: Record<string, string | undefined>): string[] {
  const configured = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => KNOWN.has(e) && e !== 'none' && e !== 'console');
  const hasEndpoint = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
  const others = env.OTEL_TRACES_EXPORTER?.trim() ? configured : hasEndpoint ? ['otlp'] : [];
  env.OTEL_TRACES_EXPORTER = ['console', ...others].join(',');
  return others;
}

/** Where the run also sends telemetry, one phrase each, for the run header. */
export function destinations(env: Readonly<Record<string, string | undefined>>, exporters: readonly string[]): string[] {
  const out: string[] = [];
  for (const exporter of exporters) {
    if (exporter === 'otlp') {
      out.push(`spans → OTLP ${env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT || 'http://localhost:4318'}`);
    } else if (exporter === 'zipkin') {
      out.push(`spans → Zipkin ${env.OTEL_EXPORTER_ZIPKIN_ENDPOINT || 'http://localhost:9411/api/v2/spans'}`);
    }
  }
  if (env.LAMBDA_OBSERVE_PUSHGATEWAY_URL?.trim()) out.push(`metrics → Pushgateway ${env.LAMBDA_OBSERVE_PUSHGATEWAY_URL.trim()}`);
  return out;
}
