/** Renders a run as markdown: budgets first, then the tables they come from. */
import type { ColdResult, MemoryResult, RunResults, WarmResult } from './results.ts';
import type { VariantId } from './variants.ts';
import { kb } from '../../infra/bundle-metafile.ts';

const n1 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(1));
const n0 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : Math.round(v).toLocaleString('en-US'));
const signed = (v: number | undefined, digits = 1) =>
  v === undefined || !Number.isFinite(v) ? '–' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
const mb = (bytes: number | undefined) => (bytes === undefined || !Number.isFinite(bytes) ? '–' : (bytes / 1e6).toFixed(1));
/** `ours / theirs` of two overheads, as "0.12×"; '–' when the peer adds nothing measurable. */
const share = (ours: number | undefined, theirs: number | undefined) =>
  ours === undefined || theirs === undefined || !Number.isFinite(ours) || !Number.isFinite(theirs) || theirs <= 0 ? '–' : `${(ours / theirs).toFixed(2)}×`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? ':--' : '--:'))), ...rows.map(line)].join('\n');
}

function status(pass: boolean | undefined): string {
  return pass === undefined ? 'N/A' : pass ? 'PASS' : 'FAIL';
}

export function renderMarkdown(r: RunResults): string {
  const out: string[] = [];
  const m = r.meta;
  out.push(`## Benchmark results (${m.mode} run)`);
  out.push('');
  out.push(
    `\`${m.command}\` — ${m.date}, Node ${m.node}, ${m.cpus}, load average ${m.loadAverage[0].toFixed(1)} → ${m.loadAverage[1].toFixed(1)}; ${m.durationS.toFixed(0)} s. ` +
      `Function memory ${m.functionMemoryMb.toLocaleString('en-US')} MB (node started with Lambda's heap flags for it). ` +
      `Cold starts: ${m.coldReps} spawns per variant. Warm: ${m.warmRounds} fresh processes per variant × ` +
      `(${m.warmWarmup} warm-up + ${m.warmMeasured} timed invocations), variants interleaved. ` +
      `Memory: ${m.memoryInvocations.toLocaleString('en-US')} invocations per process. ` +
      `Sinks: OTLP ${m.otlpSink === 'receiver' ? 'receiver (decoding)' : 'counting sink'}, Pushgateway ${m.pushgateway ? 'real binary' : 'absent'}, X-Ray daemon UDP socket; ${m.pinning}.`,
  );
  out.push('');
  out.push('### Budgets');
  out.push('');
  out.push(table(['budget', 'limit', 'measured', ''], r.budgets.map((b) => [b.name, b.limit, b.measured, `**${status(b.pass)}**`])));
  out.push('');
  // A partial run (--only=…) leaves some phases out: no empty tables for them.
  if (r.warm.length) out.push(renderWarm(r.warm), '', renderCost(r.warm), '');
  if (r.cold.length) out.push(renderCold(r.cold), '');
  if (r.memory.length) out.push(renderMemory(r.memory), '');
  out.push(renderBundle(r));
  if (r.notes.length) {
    out.push('');
    out.push('### Notes from this run');
    out.push('');
    for (const note of r.notes) out.push(`- ${note}`);
  }
  return `${out.join('\n')}\n`;
}

function renderWarm(warm: readonly WarmResult[]): string {
  const find = (id: VariantId) => warm.find((w) => w.variant === id && !w.error);
  const raw = find('raw');
  const over = (w: WarmResult | undefined, key: 'median' | 'p99') => (w && raw ? w.latency[key] - raw.latency[key] : undefined);
  const earlyOver = (w: WarmResult) => (w.early && raw?.early ? w.early.latency.median - raw.early.latency.median : undefined);
  const pt = find('powertools');
  const otel = find('otel');
  const window = raw?.early ? `invocations ${(raw.early.from + 1).toLocaleString('en-US')}–${raw.early.to.toLocaleString('en-US')}` : undefined;
  const rows = warm.map((w) => {
    if (w.error) return [w.label, `failed: ${w.error}`, '', '', '', '', '', '', '', ...(window ? [''] : [])];
    const spread = w.overheadPerRound.length ? `${signed(Math.min(...w.overheadPerRound))} … ${signed(Math.max(...w.overheadPerRound))}` : '–';
    return [
      w.label,
      n1(w.latency.median),
      n1(w.latency.p99),
      w.variant === 'raw' ? '–' : signed(over(w, 'median')),
      w.variant === 'raw' ? '–' : signed(over(w, 'p99')),
      w.variant === 'raw' ? '–' : spread,
      raw ? `${(w.latency.median / raw.latency.median).toFixed(2)}×` : '–',
      w.variant === 'raw' || w.variant === 'powertools' ? '–' : share(over(w, 'median'), over(pt, 'median')),
      w.variant === 'raw' || w.variant === 'otel' ? '–' : share(over(w, 'median'), over(otel, 'median')),
      ...(window ? [w.variant === 'raw' ? '–' : signed(earlyOver(w))] : []),
    ];
  });
  return [
    '### Warm invocations: response latency (µs)',
    '',
    ...(window
      ? [
          `Timed after the warm-up, once the handler has reached its steady speed. The last column is the same median over raw during the warm-up's ${window}: warm, but not yet at that speed (which takes longer under Lambda's heap flags), as a function that has not yet served a few thousand invocations runs.`,
          '',
        ]
      : []),
    table(
      [
        'variant',
        'median',
        'p99',
        'median over raw',
        'p99 over raw',
        'over raw, per round',
        '× raw (median)',
        'overhead ÷ Powertools’',
        'overhead ÷ OTel’s',
        ...(window ? [`median over raw, ${window}`] : []),
      ],
      rows,
    ),
  ].join('\n');
}

function renderCost(warm: readonly WarmResult[]): string {
  const raw = warm.find((w) => w.variant === 'raw' && !w.error);
  const rows = warm
    .filter((w) => !w.error)
    .map((w) => [
      w.label,
      n1(w.cpuUsPerInvocation),
      w.variant === 'raw' || !raw ? '–' : signed(w.cpuUsPerInvocation - raw.cpuUsPerInvocation),
      w.settle ? `${n1(w.settle.median)} / ${n1(w.settle.p99)}` : '–',
      n0(w.bytes.log),
      w.bytes.otlp ? `${n0(w.bytes.otlp)} (${w.bytes.spans.toFixed(2)} spans)` : '0',
      w.bytes.pushRequests ? `${n0(w.bytes.push)} (${w.bytes.pushRequests.toFixed(2)} pushes${w.bytes.pushFailures ? `, ${w.bytes.pushFailures} refused` : ''})` : '0',
      n0(w.bytes.xray),
      mb(w.memoryAtEnd?.rss),
      raw?.memoryAtEnd && w.memoryAtEnd && w.variant !== 'raw' ? signed((w.memoryAtEnd.rss - raw.memoryAtEnd.rss) / 1e6) : '–',
      mb(w.memoryAtEnd?.heapUsedAfterGc),
    ]);
  const invocations = warm.find((w) => !w.error)?.invocationsPerProcess ?? 0;
  return [
    '### Warm invocations: CPU, bytes exported, memory',
    '',
    `CPU is process.cpuUsage() over the timed invocations, harness included (raw's figure is the harness). Bytes are per invocation as counted at each sink (log = the function's stdout). Memory after ${invocations.toLocaleString('en-US')} invocations (median of the rounds).`,
    '',
    table(
      ['variant', 'CPU µs/inv', 'CPU over raw', 'async flush after response, median / p99 µs', 'log B/inv', 'OTLP B/inv', 'Pushgateway B/inv', 'X-Ray UDP B/inv', 'RSS MB', 'RSS over raw MB', 'heap after GC MB'],
      rows,
    ),
  ].join('\n');
}

function renderCold(cold: readonly ColdResult[]): string {
  const find = (id: VariantId) => cold.find((c) => c.variant === id && !c.error);
  const raw = find('raw');
  const over = (c: ColdResult | undefined) => (c && raw ? c.wallFirst.median - raw.wallFirst.median : undefined);
  const pt = find('powertools');
  const otel = find('otel');
  const rows = cold.map((c) => {
    if (c.error) return [c.label, `failed: ${c.error}`, '', '', '', '', '', ''];
    return [
      c.label,
      `${n1(c.inProcessReady.median)} / ${n1(c.inProcessReady.p90)}`,
      `${n1(c.inProcessFirst.median)} / ${n1(c.inProcessFirst.p90)}`,
      `${n1(c.wallReady.median)} / ${n1(c.wallReady.p90)}`,
      `${n1(c.wallFirst.median)} / ${n1(c.wallFirst.p90)}`,
      c.variant === 'raw' ? '–' : signed(over(c)),
      c.variant === 'raw' || c.variant === 'powertools' ? '–' : share(over(c), over(pt)),
      c.variant === 'raw' || c.variant === 'otel' ? '–' : share(over(c), over(otel)),
    ];
  });
  return [
    '### Cold start (ms, median / p90)',
    '',
    '"In-process" is performance.now() in the function’s process (milliseconds since it started, Node’s boot included); "whole process" is the harness’s clock from spawn to the child’s message. Ready = handler module loaded; first = first invocation returned (sync flush included).',
    '',
    table(
      ['variant', 'in-process: ready', 'in-process: first done', 'whole process: ready', 'whole process: first done', 'first done over raw', 'overhead ÷ Powertools’', 'overhead ÷ OTel’s'],
      rows,
    ),
  ].join('\n');
}

function renderMemory(memory: readonly MemoryResult[]): string {
  const raw = memory.find((m) => m.variant === 'raw' && !m.error);
  const rawAt = (n: number) => raw?.samples.find((s) => s.invocations === n);
  const rows = memory.map((m) => {
    if (m.error) return [m.label, `failed: ${m.error}`, '', '', '', '', '', ''];
    const first = m.samples[0];
    const at5k = m.samples.find((s) => s.invocations === 5000);
    const last = m.samples[m.samples.length - 1];
    return [
      m.label,
      mb(at5k?.rss),
      m.variant === 'raw' || !at5k || !rawAt(5000) ? '–' : signed((at5k.rss - rawAt(5000)!.rss) / 1e6),
      `${mb(at5k?.heapUsedAfterGc)} → ${mb(last?.heapUsedAfterGc)}`,
      `${mb(at5k?.rssAfterGc)} → ${mb(last?.rssAfterGc)}`,
      `${mb(at5k?.newSpace)} → ${mb(last?.newSpace)}`,
      (last?.invocations ?? 0).toLocaleString('en-US'),
      m.samples.map((s) => mb(s.heapUsedAfterGc)).join(' '),
    ].concat(first ? [] : []);
  });
  return [
    '### Memory over a long run (one process per variant)',
    '',
    table(['variant', 'RSS at 5,000 MB', 'over raw MB', 'heap after GC, 5,000 → last, MB', 'RSS after GC, 5,000 → last, MB', 'V8 new space, 5,000 → last, MB', 'last sample at', 'heap after GC at each sample, MB'], rows),
  ].join('\n');
}

function renderBundle(r: RunResults): string {
  const b = r.build.bundle;
  const l = r.build.layer;
  const lines = ['### Size', ''];
  if (l) {
    lines.push(
      `- The layer (infra/build-layer.ts, as \`npm run build:layer\` builds it; the "layer" variants above load it): importing \`lambda-observe\` loads **${kb(l.indexBytes)}** minified, the layer's handler module ${kb(l.handlerBytes)}; exporters are ${kb(l.lazyBytes)} of lazy chunks; ${kb(l.zippedBytes)} zipped.`,
    );
  }
  if (b) {
    const top = b.byPackage.slice(0, 8).map((p) => `${p.name} ${kb(p.bytes)}`).join(', ');
    lines.push(
      `- Everything in one file (esbuild bundle of src/index.ts, minified, ESM, platform node${l ? '' : ' — the layer stand-in'}): **${kb(b.bytes)}**, ${kb(b.gzipBytes)} gzipped. Largest parts: ${top}.`,
    );
  }
  lines.push(`- npm package built with \`npm run build\` (infra/build-package.ts) in ${(r.build.package.ms / 1000).toFixed(1)} s${r.build.package.diagnostics ? ` (${r.build.package.diagnostics} type errors in work in progress; built anyway)` : ''}.`);
  return lines.join('\n');
}
