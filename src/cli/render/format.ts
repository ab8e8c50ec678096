/** Small formatters shared by the views. */

/** `0.42 ms`, `12.3 ms`, `1.24 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** `HH:MM:SS.mmm` of an ISO timestamp (in the process's zone, UTC as on Lambda). */
export function clockTime(iso: unknown): string {
  const date = typeof iso === 'string' ? new Date(iso) : new Date();
  if (Number.isNaN(date.getTime())) return '--:--:--.---';
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** A value as it reads in `key=value`: bare when it is a simple token, JSON otherwise. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[\w./:@{}$+-]+$/.test(value) ? value : JSON.stringify(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `{a:{b:1}}` → `[['a.b', 1]]`, in the record's own order. Arrays stay values. */
export function flatten(record: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(record)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      out.push(...flatten(value as Record<string, unknown>, name));
    } else {
      out.push([name, value]);
    }
  }
  return out;
}

/** Lay `tokens` out in lines of at most `width` columns, each line starting with `indent`. */
export function wrapTokens(tokens: readonly string[], width: number, indent: string, visible: (s: string) => number): string[] {
  const lines: string[] = [];
  let line = indent;
  let used = indent.length;
  for (const token of tokens) {
    const size = visible(token);
    if (used > indent.length && used + 2 + size > width) {
      lines.push(line);
      line = indent;
      used = indent.length;
    }
    if (used > indent.length) {
      line += '  ';
      used += 2;
    }
    line += token;
    used += size;
  }
  if (used > indent.length) lines.push(line);
  return lines;
}

/** Nearest-rank percentile of `values` (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}
