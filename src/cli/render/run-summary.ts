/** The closing lines of a run: the Prometheus exposition that would be pushed, and the totals. */
import type { InvocationResult } from '../run.ts';
import { formatDuration, percentile } from './format.ts';
import type { Style } from './style.ts';

/** Per-run totals, from the wide events (the handler's own duration) or the wall clock. */
export interface RunTotals {
  readonly count: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly coldStarts: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export function totalsOf(results: readonly InvocationResult[]): RunTotals {
  const durations = results.map((r) => {
    const d = r.output.wideEvent?.duration_ms;
    return typeof d === 'number' ? d : r.wallMs;
  });
  return {
    count: results.length,
    errors: results.filter((r) => r.outcome === 'error').length,
    timeouts: results.filter((r) => r.outcome === 'timeout').length,
    coldStarts: results.filter((r) => (r.output.wideEvent?.faas as Record<string, unknown> | undefined)?.coldstart === true).length,
    p50Ms: percentile(durations, 50),
    p99Ms: percentile(durations, 99),
  };
}

export function renderTotals(totals: RunTotals, style: Style): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const failed = totals.errors + totals.timeouts;
  const parts = [
    style.bold(plural(totals.count, 'invocation')),
    failed ? style.red(plural(totals.errors, 'error')) : style.green('0 errors'),
  ];
  if (totals.timeouts) parts.push(style.red(plural(totals.timeouts, 'timeout')));
  parts.push(`p50 ${formatDuration(totals.p50Ms)}`, `p99 ${formatDuration(totals.p99Ms)}`, plural(totals.coldStarts, 'cold start'));
  return `  ${style.bold('summary')}     ${parts.join(style.gray('  ·  '))}`;
}

/**
 * The exposition text. Compact unless `verbose`: the counters and gauges a user recorded and the
 * automatic `faas_*` counters, without comments, histogram series or the process gauges — the
 * full text (what the Pushgateway receives) is one `--verbose` away.
 */
export function renderExposition(text: string, style: Style, verbose: boolean): { lines: string[]; folded: number } {
  const lines: string[] = [];
  const histograms = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) histogram$/gm)) histograms.add(match[1] as string);
  let folded = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (line.startsWith('#')) {
      if (verbose) lines.push(style.gray(line));
      continue;
    }
    const match = /^([a-zA-Z_:][\w:]*)(\{.*\})?\s+(.*)$/.exec(line);
    if (!match) {
      lines.push(line);
      continue;
    }
    const [, name = '', labels = '', value = ''] = match;
    const family = name.replace(/_(bucket|sum|count)$/, '');
    if (!verbose && (histograms.has(family) || /^(process|v8js|nodejs)_/.test(name))) {
      folded++;
      continue;
    }
    lines.push(`${style.cyan(name)}${style.gray(labels)} ${style.bold(value)}`);
  }
  return { lines, folded };
}
