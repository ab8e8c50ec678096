/**
 * Collected metrics → Prometheus text exposition that a Pushgateway accepts. The output is,
 * byte for byte, what @opentelemetry/exporter-prometheus's `PrometheusSerializer` writes (no
 * timestamps, no `target_info`, no scope labels) for the metrics as renamed and relabeled below;
 * test/unit/metrics/prometheus-text-oracle.test.ts holds the library's serializer to that.
 *
 * Why our own writer: a push renders the whole group after every invocation, and the library
 * serializer builds it through per-push maps, `Object.entries` arrays, regex replaces of every
 * name and label and a relabeled copy of every data point (≈ 90 KB allocated per push of the
 * built-in metrics, `bench/profile.ts alloc lo-sync`), much of it alive across the awaited HTTP
 * round trip. Here the names of an instrument and the label text of a series are worked out once
 * and reused while they do not change; a push only writes the values. Not importing the package
 * also spares loading it (and its `http` import) in INIT.
 *
 * What the Pushgateway rejects (HTTP 400, the whole push lost) and how it is avoided here:
 * - timestamps: none are written;
 * - a body without a final newline: every line ends with one;
 * - a label the grouping key owns (`job`, `instance`, static labels), or `le` on a histogram: a
 *   user attribute with that name is renamed `exported_<name>`, as Prometheus itself does;
 * - invalid label names (leading digit): prefixed `key_`, per the OTel → Prometheus spec;
 * - the same series twice (two meters with one instrument name): the second is dropped, warned once;
 * - a name with another TYPE in another group: names and types come from code, so every
 *   environment of one deployment pushes the same families. The counter suffix `_total` keeps a
 *   counter and a gauge of the same OTel name apart; see docs/metrics.md for changing a type.
 * `target_info` and `otel_scope_*` labels are left out: the grouping key already says where the
 * data came from, and per-scope labels would split every series users sum over.
 */
import { diag, type Attributes } from '@opentelemetry/api';
import { DataPointType, type DataPoint, type Histogram, type MetricData, type MetricDescriptor, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { MetricsWarn } from './warn.ts';

/** Settings of the text writer. */
export interface PrometheusTextOptions {
  /** Label names the push path sets itself (grouping key). */
  readonly reservedLabels: readonly string[];
  readonly warn: MetricsWarn;
}

/** A serializer function: ResourceMetrics in, exposition text (ending in a newline) out. */
export type PrometheusTextWriter = (resourceMetrics: ResourceMetrics) => string;

type PrometheusType = 'counter' | 'gauge' | 'histogram' | 'untyped';

/** How one instrument is written; worked out once per descriptor (the SDK keeps it per instrument). */
interface Naming {
  readonly dataPointType: DataPointType;
  readonly isMonotonic: boolean;
  readonly name: string;
  readonly unit: string;
  /** The name series are told apart by for duplicate detection (as before the serializer's rules). */
  readonly family: string;
  /** The serializer's name of the family; `undefined` when it writes none. */
  readonly promName: string | undefined;
  /** Why the serializer writes no family for it (its diag error), when `promName` is undefined. */
  readonly invalid: string;
  readonly type: PrometheusType;
  /** Set once any series of the instrument has a renamed label: its series can then collide. */
  renamed: boolean;
  /** The rendered text of each attribute set (the SDK hands the same object every collection). */
  readonly series: WeakMap<Attributes, Series>;
}

/** The label text of one series, and what it was rendered from (to notice a changed object). */
interface Series {
  readonly keys: readonly string[];
  /** Primitive values as they are; objects (arrays) as JSON, compared as JSON. */
  readonly values: readonly unknown[];
  /** The relabeled attributes, for the duplicate key. */
  readonly relabeled: Attributes;
  readonly renamed: boolean;
  /** `k="v",…` (may be empty). */
  readonly labels: string;
  /** `name{labels} ` (or `name `): a sample is this, the value and a newline. */
  readonly prefix: string;
  dedupeKey?: string;
  /** Histograms: the count and sum line prefixes, a prefix per written bucket, for these boundaries. */
  histogram?: { readonly boundaries: readonly number[]; readonly counts: number; readonly count: string; readonly sum: string; readonly buckets: readonly string[] };
}

interface Family {
  help: string;
  unit: string;
  readonly type: PrometheusType;
  /** `undefined`: dropped (a TYPE conflict), as the serializer drops it. */
  metrics: Array<{ metric: MetricData; naming: Naming }> | undefined;
}

/** Build a writer; it keeps what it worked out about instruments and series for the next push. */
export function createPrometheusTextWriter(options: PrometheusTextOptions): PrometheusTextWriter {
  const reserved = new Set(options.reservedLabels);
  const warn = options.warn;
  const namings = new WeakMap<MetricDescriptor, Naming>();
  let previousConflicts = new Set<string>();

  const namingOf = (metric: MetricData): Naming => {
    const descriptor = metric.descriptor;
    const isMonotonic = metric.dataPointType === DataPointType.SUM && metric.isMonotonic;
    let naming = namings.get(descriptor);
    if (
      naming === undefined ||
      naming.dataPointType !== metric.dataPointType ||
      naming.isMonotonic !== isMonotonic ||
      naming.name !== descriptor.name ||
      naming.unit !== descriptor.unit
    ) {
      naming = createNaming(metric, isMonotonic);
      namings.set(descriptor, naming);
    }
    return naming;
  };

  const seriesOf = (naming: Naming, attributes: Attributes): Series => {
    let series = naming.series.get(attributes);
    if (series === undefined || !unchanged(attributes, series)) {
      series = createSeries(naming, attributes, reserved);
      naming.series.set(attributes, series);
      if (series.renamed) naming.renamed = true;
    }
    return series;
  };

  return (resourceMetrics) => {
    // Duplicate series: a family pushed by two instruments, or labels that collide once renamed.
    const familyCounts = new Map<string, number>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        const { family } = namingOf(metric);
        familyCounts.set(family, (familyCounts.get(family) ?? 0) + 1);
      }
    }
    let seen: Set<string> | undefined;
    let dropped: Set<DataPoint<unknown>> | undefined;
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        const naming = namingOf(metric);
        const points = metric.dataPoints as ReadonlyArray<DataPoint<unknown>>;
        for (const point of points) seriesOf(naming, point.attributes);
        if (!naming.renamed && (familyCounts.get(naming.family) ?? 0) < 2) continue;
        for (const point of points) {
          const series = seriesOf(naming, point.attributes);
          series.dedupeKey ??= `${naming.family}${JSON.stringify(Object.entries(series.relabeled).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
          seen ??= new Set();
          if (seen.has(series.dedupeKey)) {
            warn(`metrics:duplicate:${naming.family}`, `metric ${naming.family} was recorded twice with the same labels (two meters with one instrument name?); the second is not pushed`);
            (dropped ??= new Set()).add(point);
            continue;
          }
          seen.add(series.dedupeKey);
        }
      }
    }

    // Families as the serializer groups them: first appearance orders them, a TYPE conflict drops one.
    const families = new Map<string, Family>();
    const conflicts = new Set<string>();
    const conflict = (kind: string, name: string, first: string, second: string, selected: string | undefined): void => {
      const key = `${kind}:${name}:${selected ?? ''}`;
      if (conflicts.has(key)) return;
      conflicts.add(key);
      if (previousConflicts.has(key)) return;
      const values = `${JSON.stringify(first)}, ${JSON.stringify(second)}`;
      if (selected === undefined) diag.warn(`Conflicting ${kind} comments for metric "${name}": ${values}; dropping the metric.`);
      else diag.warn(`Conflicting ${kind} comments for metric "${name}": ${values}; exporting ${JSON.stringify(selected)}.`);
    };
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        const naming = namingOf(metric);
        const name = naming.promName;
        if (name === undefined) {
          diag.error(`Normalization for metric "${metric.descriptor.name}" resulted in ${naming.invalid}`);
          continue;
        }
        const family = families.get(name);
        if (family === undefined) {
          families.set(name, { help: metric.descriptor.description, unit: metric.descriptor.unit, type: naming.type, metrics: [{ metric, naming }] });
        } else if (family.metrics !== undefined) {
          if (family.type !== naming.type) {
            conflict('TYPE', name, family.type, naming.type, undefined);
            family.metrics = undefined;
          } else family.metrics.push({ metric, naming });
        }
      }
    }
    for (const [name, family] of families) {
      if (family.metrics === undefined || family.metrics.length < 2) continue;
      for (const { metric } of family.metrics) {
        const { description: help, unit } = metric.descriptor;
        if (help) {
          if (!family.help) family.help = help;
          else if (family.help !== help) conflict('HELP', name, family.help, help, family.help);
        }
        if (unit) {
          if (!family.unit) family.unit = unit;
          else if (family.unit !== unit) conflict('UNIT', name, family.unit, unit, family.unit);
        }
      }
    }
    previousConflicts = conflicts;

    let text = '';
    for (const [name, family] of families) {
      if (family.metrics === undefined) continue;
      let writeMetadata = true;
      for (const { metric, naming } of family.metrics) {
        const samples = writeSamples(metric, naming, dropped, seriesOf);
        if (writeMetadata) {
          const unit = family.unit ? `\n# UNIT ${name} ${escapeString(family.unit)}` : '';
          text += `# HELP ${name} ${escapeString(family.help || 'description missing')}${unit}\n# TYPE ${name} ${family.type}\n${samples}`;
          writeMetadata = false;
        } else text += samples;
      }
    }
    return text === '' ? '# no registered metrics\n' : text;
  };
}

/** The samples of one metric, each line ending in a newline. */
function writeSamples(
  metric: MetricData,
  naming: Naming,
  dropped: ReadonlySet<DataPoint<unknown>> | undefined,
  seriesOf: (naming: Naming, attributes: Attributes) => Series,
): string {
  let out = '';
  if (metric.dataPointType === DataPointType.SUM || metric.dataPointType === DataPointType.GAUGE) {
    for (const point of metric.dataPoints) {
      if (dropped?.has(point)) continue;
      out += `${seriesOf(naming, point.attributes).prefix}${valueString(point.value)}\n`;
    }
  } else if (metric.dataPointType === DataPointType.HISTOGRAM) {
    for (const point of metric.dataPoints) {
      if (dropped?.has(point)) continue;
      const series = seriesOf(naming, point.attributes);
      const histogram: Histogram = point.value;
      const { boundaries, counts } = histogram.buckets;
      let lines = series.histogram;
      if (lines === undefined || lines.boundaries !== boundaries || lines.counts !== counts.length) {
        lines = series.histogram = histogramLines(naming.promName as string, series.labels, boundaries, counts.length);
      }
      if (histogram.count != null) out += `${lines.count}${valueString(histogram.count)}\n`;
      if (histogram.sum != null) out += `${lines.sum}${valueString(histogram.sum)}\n`;
      let cumulative = 0;
      for (let i = 0; i < lines.buckets.length; i++) {
        cumulative += counts[i] as number;
        out += `${lines.buckets[i]}${valueString(cumulative)}\n`;
      }
    }
  } else {
    diag.error(`Unrecognizable DataPointType: ${metric.dataPointType} for metric "${naming.promName}"`);
  }
  return out;
}

function histogramLines(name: string, labels: string, boundaries: readonly number[], counts: number): NonNullable<Series['histogram']> {
  const buckets: string[] = [];
  let infinite = false;
  for (let i = 0; i < counts; i++) {
    const upper = boundaries[i];
    if (upper === undefined && infinite) break;
    if (upper === Infinity) infinite = true;
    const le = upper === undefined || upper === Infinity ? '+Inf' : escapeAttributeValue(String(upper));
    buckets.push(`${name}_bucket{${labels}${labels ? ',' : ''}le="${le}"} `);
  }
  const braces = labels ? `{${labels}}` : '';
  return { boundaries, counts, count: `${name}_count${braces} `, sum: `${name}_sum${braces} `, buckets };
}

function createNaming(metric: MetricData, isMonotonic: boolean): Naming {
  const { descriptor, dataPointType } = metric;
  const name = withUnitSuffix(descriptor.name, descriptor.unit, dataPointType);
  let family = sanitize(name);
  if (isMonotonic && !family.endsWith('_total')) family += '_total';
  let promName: string | undefined = sanitize(escapeString(name));
  const invalid = promName === '' ? 'empty name' : 'an invalid name: "_"';
  if (promName === '' || promName === '_') promName = undefined;
  else {
    if (promName[0]! >= '0' && promName[0]! <= '9') promName = `_${promName}`;
    if (isMonotonic && !promName.endsWith('_total')) promName += '_total';
  }
  return {
    dataPointType,
    isMonotonic,
    name: descriptor.name,
    unit: descriptor.unit,
    family,
    promName,
    invalid,
    type: prometheusType(dataPointType, isMonotonic),
    renamed: false,
    series: new WeakMap(),
  };
}

function prometheusType(type: DataPointType, isMonotonic: boolean): PrometheusType {
  switch (type) {
    case DataPointType.SUM:
      return isMonotonic ? 'counter' : 'gauge';
    case DataPointType.GAUGE:
      return 'gauge';
    case DataPointType.HISTOGRAM:
      return 'histogram';
    default:
      return 'untyped';
  }
}

function createSeries(naming: Naming, attributes: Attributes, reserved: ReadonlySet<string>): Series {
  const keys = Object.keys(attributes);
  const values = keys.map((key) => snapshot(attributes[key]));
  const relabeled = relabel(attributes, reserved, naming.dataPointType === DataPointType.HISTOGRAM);
  let labels = '';
  for (const [key, value] of Object.entries(relabeled)) labels += `${labels ? ',' : ''}${sanitize(key)}="${escapeAttributeValue(value)}"`;
  const name = naming.promName ?? '';
  return { keys, values, relabeled, renamed: relabeled !== attributes, labels, prefix: labels ? `${name}{${labels}} ` : `${name} ` };
}

/** Whether `attributes` still holds what `series` was rendered from (no allocation for primitives). */
function unchanged(attributes: Attributes, series: Series): boolean {
  let i = 0;
  for (const key in attributes) {
    if (key !== series.keys[i]) return false;
    const value = attributes[key];
    if (typeof value === 'object' && value !== null ? JSON.stringify(value) !== series.values[i] : value !== series.values[i]) return false;
    i++;
  }
  return i === series.keys.length;
}

function snapshot(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : value;
}

/** Rename and relabel so the exposition is what a Pushgateway accepts (see the module doc). */
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

// The serializer's escaping and naming rules, as it applies them.
function escapeString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeAttributeValue(value: unknown = ''): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) as string);
  return escapeString(text).replace(/"/g, '\\"');
}

function sanitize(name: string): string {
  return name.replace(/[^a-z0-9_]/gi, '_').replace(/_{2,}/g, '_');
}

function valueString(value: unknown): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return `${value as number}`;
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
