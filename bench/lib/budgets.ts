/**
 * The performance budgets of issue 8, checked against one run. Differences are taken between
 * variants of the same run (never against a number from another machine or day).
 * Units: KB and MB are decimal (1 KB = 1,000 bytes), the stricter reading.
 */
import type { Budget, ColdResult, MemoryResult, WarmResult } from './results.ts';
import type { BundleBuild, LayerBuild } from './build.ts';
import type { VariantId } from './variants.ts';
import { COLD_START_BUDGET_BYTES } from '../../infra/build-layer.ts';
import { kb } from '../../infra/bundle-metafile.ts';

export const LIMITS = {
  coldStartOverRawMs: 20,
  warmOffMedianUs: 30,
  warmOffP99Us: 200,
  exportShareOfOtel: 0.5,
  rssOverRawBytes: 15e6,
  /** "Flat": the live heap after a full GC may not grow by more than this between the first and last sample. */
  heapGrowthBytes: 1e6,
  /** …and RSS after a full GC may not grow by more than this beyond the raw handler's own growth over the same run (the raw handler's RSS creeps too: allocator and code space). */
  rssGrowthOverRawBytes: 4e6,
  bundleBytes: COLD_START_BUDGET_BYTES,
} as const;

const us = (v: number) => `${v.toFixed(1)} µs`;
const ms = (v: number) => `${v.toFixed(1)} ms`;
const mb = (v: number) => `${(v / 1e6).toFixed(1)} MB`;

export function checkBudgets(
  cold: readonly ColdResult[],
  warm: readonly WarmResult[],
  memory: readonly MemoryResult[],
  bundle: BundleBuild | undefined,
  layer: LayerBuild | undefined,
): Budget[] {
  const budgets: Budget[] = [];
  const coldOf = (id: VariantId) => cold.find((c) => c.variant === id && !c.error && c.reps > 0);
  const warmOf = (id: VariantId) => warm.find((w) => w.variant === id && !w.error && w.latency.n > 0);
  const memOf = (id: VariantId) => memory.find((m) => m.variant === id && !m.error && m.samples.length > 0);

  // The same job on stock OpenTelemetry SDK parts (a control): what the SDK lambda-observe is built
  // on costs by itself, the scale for the budgets it misses.
  const STOCK = 'the same job on stock OpenTelemetry parts';
  const rawCold = coldOf('raw');
  const stockCold = coldOf('otel-parts');
  const stockColdText = stockCold && rawCold ? `; ${STOCK}: ${ms(stockCold.wallFirst.median - rawCold.wallFirst.median)}` : '';
  for (const [id, what] of [
    ['lo-sync', 'npm package'],
    ['lo-bundle', 'layer'],
  ] as const) {
    const c = coldOf(id);
    const over = c && rawCold ? c.wallFirst.median - rawCold.wallFirst.median : undefined;
    budgets.push({
      name: `Cold start over raw, ${what}, all signals on (process start → first invocation done, median)`,
      limit: `≤ ${LIMITS.coldStartOverRawMs} ms`,
      measured: over === undefined ? 'not measured' : `${ms(over)} (in-process: ${ms(c!.inProcessFirst.median - rawCold!.inProcessFirst.median)}${stockColdText})`,
      pass: over === undefined ? undefined : over <= LIMITS.coldStartOverRawMs,
    });
  }

  const raw = warmOf('raw');
  const overRaw = (w: WarmResult | undefined, key: 'median' | 'p99') => (w && raw ? w.latency[key] - raw.latency[key] : undefined);
  const off = warmOf('lo-off');
  for (const [key, limit] of [
    ['median', LIMITS.warmOffMedianUs],
    ['p99', LIMITS.warmOffP99Us],
  ] as const) {
    const over = overRaw(off, key);
    budgets.push({
      name: `Warm cost over raw, exporters off, ${key}`,
      limit: `≤ ${limit} µs`,
      measured: over === undefined ? 'not measured' : us(over),
      pass: over === undefined ? undefined : over <= limit,
    });
  }

  const sync = warmOf('lo-sync');
  const otel = warmOf('otel');
  const syncOver = overRaw(sync, 'median');
  const otelOver = overRaw(otel, 'median');
  const stockOver = overRaw(warmOf('otel-parts'), 'median');
  const exporting = sync !== undefined && sync.bytes.spans > 0 && sync.bytes.pushRequests > 0;
  budgets.push({
    name: 'Warm cost over raw with OTLP + Pushgateway export every invocation (sync flush), median, vs the OTel instrumentation’s',
    limit: `≤ ${LIMITS.exportShareOfOtel} × OTel’s`,
    measured:
      syncOver === undefined || otelOver === undefined
        ? 'not measured'
        : `${us(syncOver)} vs OTel ${us(otelOver)} = ${(syncOver / otelOver).toFixed(2)} ×` +
          (stockOver === undefined ? '' : ` (${STOCK}: ${us(stockOver)} = ${(stockOver / otelOver).toFixed(2)} ×)`) +
          (exporting ? '' : ` — NOT comparable: lambda-observe exported ${sync!.bytes.spans.toFixed(2)} spans and ${sync!.bytes.pushRequests.toFixed(2)} pushes per invocation`),
    pass: syncOver === undefined || otelOver === undefined || !exporting ? undefined : syncOver <= LIMITS.exportShareOfOtel * otelOver,
  });

  const asyncMode = warmOf('lo-async');
  const control = warmOf('lo-async-off');
  const evicted = warmOf('lo-off-evict');
  for (const [key, limit] of [
    ['median', LIMITS.warmOffMedianUs],
    ['p99', LIMITS.warmOffP99Us],
  ] as const) {
    const over = overRaw(asyncMode, key);
    const exportingAsync = asyncMode !== undefined && asyncMode.bytes.spans > 0;
    const controlOver = overRaw(control, key);
    const evictedOver = overRaw(evicted, key);
    const controls = [
      controlOver === undefined ? undefined : `the same hold without exporters: ${us(controlOver)}`,
      evictedOver === undefined ? undefined : `exporters off, caches evicted between invocations: ${us(evictedOver)}`,
    ].filter((text) => text !== undefined);
    budgets.push({
      name: `Async flush mode: response latency over raw, ${key} (exporters-off budget)`,
      limit: `≤ ${limit} µs`,
      measured:
        over === undefined
          ? 'not measured'
          : us(over) + (controls.length ? ` (${controls.join('; ')})` : '') + (exportingAsync ? '' : ' — exported nothing yet'),
      pass: over === undefined ? undefined : over <= limit,
    });
  }

  const rawMem = memOf('raw');
  const loMem = memOf('lo-sync');
  const at5k = (m: MemoryResult | undefined) => m?.samples.find((s) => s.invocations === 5000);
  const rssOverRaw = (m: MemoryResult | undefined) => (at5k(m) && at5k(rawMem) ? at5k(m)!.rss - at5k(rawMem)!.rss : undefined);
  const rssOver = rssOverRaw(loMem);
  const stockRssOver = rssOverRaw(memOf('otel-parts'));
  budgets.push({
    name: 'Memory: RSS over raw after 5,000 invocations, all signals on',
    limit: `≤ ${mb(LIMITS.rssOverRawBytes)}`,
    measured: rssOver === undefined ? 'not measured' : mb(rssOver) + (stockRssOver === undefined ? '' : ` (${STOCK}: ${mb(stockRssOver)})`),
    pass: rssOver === undefined ? undefined : rssOver <= LIMITS.rssOverRawBytes,
  });
  const first = at5k(loMem);
  const last = loMem?.samples[loMem.samples.length - 1];
  const rawFirst = at5k(rawMem);
  const rawLast = rawMem?.samples.find((s) => s.invocations === last?.invocations);
  if (first && last && rawFirst && rawLast && last.invocations > first.invocations) {
    const heap = last.heapUsedAfterGc - first.heapUsedAfterGc;
    const rss = last.rssAfterGc - first.rssAfterGc;
    const rawRss = rawLast.rssAfterGc - rawFirst.rssAfterGc;
    const sign = (v: number) => (v >= 0 ? '+' : '');
    // The peers' and the stock-parts control's growth over the same run, for scale: V8 grows its
    // young generation for any handler that keeps enough bytes alive across its scavenges
    // (bench/gc-survival.ts).
    const others = { powertools: 'Powertools', otel: 'OTel', 'otel-parts': STOCK } as const;
    const peers = (Object.keys(others) as Array<keyof typeof others>).flatMap((id) => {
      const samples = memOf(id)?.samples;
      const from = samples?.find((s) => s.invocations === first.invocations);
      const to = samples?.find((s) => s.invocations === last.invocations);
      return from && to ? [`${others[id]} ${sign(to.rssAfterGc - from.rssAfterGc)}${mb(to.rssAfterGc - from.rssAfterGc)}`] : [];
    });
    budgets.push({
      name: `Memory flat from 5,000 to ${last.invocations.toLocaleString('en-US')} invocations, all signals on (after full GC)`,
      limit: `heap growth ≤ ${mb(LIMITS.heapGrowthBytes)}, RSS growth ≤ raw’s + ${mb(LIMITS.rssGrowthOverRawBytes)}`,
      measured: `heap ${sign(heap)}${mb(heap)}, RSS ${sign(rss)}${mb(rss)} (raw ${sign(rawRss)}${mb(rawRss)}${peers.map((text) => `; ${text}`).join('')})`,
      pass: heap <= LIMITS.heapGrowthBytes && rss - rawRss <= LIMITS.rssGrowthOverRawBytes,
    });
  } else {
    budgets.push({ name: 'Memory flat from 5,000 invocations on', limit: 'no growth', measured: 'not measured', pass: undefined });
  }

  if (layer) {
    budgets.push({
      name: 'Layer bundle, minified: what importing lambda-observe from the layer loads (static import graph; exporters are lazy chunks)',
      limit: `≤ ${LIMITS.bundleBytes / 1000} KB`,
      measured: `${kb(layer.indexBytes)} (+ ${kb(layer.lazyBytes)} lazy chunks; zip ${kb(layer.zippedBytes)})`,
      pass: layer.indexBytes <= LIMITS.bundleBytes,
    });
  } else {
    budgets.push({
      name: 'Layer bundle, minified (single-file esbuild bundle of src/index.ts standing in for the layer)',
      limit: `≤ ${LIMITS.bundleBytes / 1000} KB`,
      measured: bundle ? `${kb(bundle.bytes)} (${kb(bundle.gzipBytes)} gzipped)` : 'bundle build failed',
      pass: bundle ? bundle.bytes <= LIMITS.bundleBytes : undefined,
    });
  }
  return budgets;
}
