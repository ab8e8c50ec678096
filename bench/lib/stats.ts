/** Order statistics. Percentiles are nearest-rank on a sorted copy: no interpolation between samples. */

export function sorted(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** The p-th percentile (0 < p ≤ 100) of already sorted values; NaN when empty. */
export function percentileOf(sortedValues: ArrayLike<number>, p: number): number {
  const n = sortedValues.length;
  if (n === 0) return Number.NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sortedValues[rank - 1] as number;
}

export interface Summary {
  n: number;
  median: number;
  p90: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

export function summarize(values: ArrayLike<number>): Summary {
  const s = sorted(values);
  let total = 0;
  for (const v of s) total += v;
  return {
    n: s.length,
    median: percentileOf(s, 50),
    p90: percentileOf(s, 90),
    p99: percentileOf(s, 99),
    mean: s.length ? total / s.length : Number.NaN,
    min: s.length ? (s[0] as number) : Number.NaN,
    max: s.length ? (s[s.length - 1] as number) : Number.NaN,
  };
}

export function median(values: ArrayLike<number>): number {
  return percentileOf(sorted(values), 50);
}

/** Rotate `items` by `round` so that over the rounds every item runs in every position. */
export function rotate<T>(items: readonly T[], round: number): T[] {
  const k = items.length === 0 ? 0 : round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
