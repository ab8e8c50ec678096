/**
 * Collected metrics → Prometheus text exposition that a Pushgateway accepts, written by
 * @opentelemetry/exporter-prometheus's own serializer (no HTTP server is started).
 *
 * What the Pushgateway rejects (HTTP 400, the whole push lost) and how it is avoided here:
 * - timestamps: the serializer is told not to append them;
 * - a body without a final newline: enforced below;
 * - a label the grouping key owns (`job`, `instance`, static labels), or `le` on a histogram: a
 *   user attribute with that name is renamed `exported_<name>`, as Prometheus itself does;
 * - invalid label names (leading digit): prefixed `key_`, per the OTel → Prometheus spec;
 * - the same series twice (two meters with one instrument name): the second is dropped, warned once;
 * - a name with another TYPE in another group: names and types come from code, so every
 *   environment of one deployment pushes the same families. The counter suffix `_total` keeps a
 *   counter and a gauge of the same OTel name apart; see docs/metrics.md for changing a type.
 * `target_info` and `otel_scope_*` labels are left out: the grouping key already says where the
 * data came from, and per-scope labels would split every series users sum over.
 *
 * The exporter package is imported lazily: its index loads `http` through ESM, whose namespace
 * evaluation pulls undici (≈ 20 ms measured here), a cost users without a Pushgateway must not pay.
 */
import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { Attributes } from '@opentelemetry/api';
import type { MetricsWarn } from './warn.ts';

type Exporter = typeof import('@opentelemetry/exporter-prometheus');

let loading: Promise<Exporter> | undefined;

/** Start (or join) the import of the serializer; call early so the first push does not pay for it. */
export function loadPrometheusExporter(): Promise<Exporter> {
  loading ??= import('@opentelemetry/exporter-prometheus');
  return loading;
}

/** Settings of the text writer. */
export interface PrometheusTextOptions {
  /** Label names the push path sets itself (grouping key). */
  readonly reservedLabels: readonly string[];
  readonly warn: MetricsWarn;
}

/** A serializer function: ResourceMetrics in, exposition text (ending in a newline) out. */
export type PrometheusTextWriter = (resourceMetrics: ResourceMetrics) => string;

/** Build the writer once the exporter package is loaded. */
export async function createPrometheusTextWriter(options: PrometheusTextOptions): Promise<PrometheusTextWriter> {
  const { PrometheusSerializer } = await loadPrometheusExporter();
  // (prefix, appendTimestamp, withResourceConstantLabels, withoutTargetInfo, withoutScopeInfo)
  const serializer = new PrometheusSerializer(undefined, false, undefined, true, true);
  const reserved = new Set(options.reservedLabels);
  return (resourceMetrics) => {
    const text = serializer.serialize(prepareForPushgateway(resourceMetrics, reserved, options.warn));
    return text.endsWith('\n') ? text : `${text}\n`;
  };
}

/** Rename and relabel so the serializer's output is what a Pushgateway accepts (see the module doc). */
export function prepareForPushgateway(
  resourceMetrics: ResourceMetrics,
  reserved: ReadonlySet<string>,
  warn: MetricsWarn,
): ResourceMetrics {
  const seen = new Set<string>();
  const scopeMetrics = resourceMetrics.scopeMetrics.map((scope) => ({
    scope: scope.scope,
    metrics: scope.metrics.map((metric) => prepareMetric(metric, reserved, seen, warn)),
  }));
  return { resource: resourceMetrics.resource, scopeMetrics };
}

function prepareMetric(metric: MetricData, reserved: ReadonlySet<string>, seen: Set<string>, warn: MetricsWarn): MetricData {
  const name = withUnitSuffix(metric.descriptor.name, metric.descriptor.unit, metric.dataPointType);
  const family = familyName(name, metric);
  const isHistogram = metric.dataPointType === DataPointType.HISTOGRAM;
  const dataPoints = [];
  for (const point of metric.dataPoints) {
    const attributes = relabel(point.attributes, reserved, isHistogram);
    const key = `${family}${JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    if (seen.has(key)) {
      warn(`metrics:duplicate:${family}`, `metric ${family} was recorded twice with the same labels (two meters with one instrument name?); the second is not pushed`);
      continue;
    }
    seen.add(key);
    dataPoints.push({ ...point, attributes });
  }
  return { ...metric, descriptor: { ...metric.descriptor, name }, dataPoints } as MetricData;
}

function relabel(attributes: Attributes, reserved: ReadonlySet<string>, isHistogram: boolean): Attributes {
  let out: Attributes | undefined;
  const keys = Object.keys(attributes);
  for (const key of keys) {
    let label = key.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');
    if (/^[0-9]/.test(label)) label = `key_${label}`;
    if (reserved.has(label) || (isHistogram && label === 'le')) label = `exported_${label}`;
    if (label !== key || out) (out ??= copyUntil(attributes, keys, key))[label] = attributes[key];
  }
  return out ?? attributes;
}

/** The attributes before `stop`, in order: keeps label order stable when a later key is renamed. */
function copyUntil(attributes: Attributes, keys: readonly string[], stop: string): Attributes {
  const out: Attributes = {};
  for (const key of keys) {
    if (key === stop) break;
    out[key] = attributes[key];
  }
  return out;
}

/** The family name the serializer will write, for duplicate detection. */
function familyName(name: string, metric: MetricData): string {
  let family = name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');
  if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic && !family.endsWith('_total')) family += '_total';
  return family;
}

const UNIT_WORDS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  bit: 'bits',
  m: 'meters',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  '%': 'percent',
};

const PER_UNIT_WORDS: Readonly<Record<string, string>> = { s: 'second', m: 'minute', min: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year' };

/**
 * The OTel → Prometheus naming rule the kept serializer does not apply: the unit as a suffix
 * (`faas.invoke_duration` in `s` → `faas_invoke_duration_seconds`), so a name says its unit in
 * PromQL. `{annotations}` add nothing; `1` is `ratio` on gauges only; unknown units add nothing
 * (a name must not change when a unit string is odd).
 */
export function withUnitSuffix(name: string, unit: string, type: DataPointType): string {
  const bare = unit.replace(/\{[^}]*\}/g, '').trim();
  let suffix: string | undefined;
  if (bare === '1') suffix = type === DataPointType.GAUGE ? 'ratio' : undefined;
  else if (bare.includes('/')) {
    const [top, per] = bare.split('/', 2) as [string, string];
    const perWord = PER_UNIT_WORDS[per];
    if (perWord) suffix = top ? (UNIT_WORDS[top] ? `${UNIT_WORDS[top]}_per_${perWord}` : undefined) : `per_${perWord}`;
  } else if (bare) suffix = UNIT_WORDS[bare];
  if (!suffix) return name;
  const sanitized = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return sanitized.endsWith(`_${suffix}`) || sanitized.endsWith(`_${suffix}_total`) ? name : `${name}_${suffix}`;
}
