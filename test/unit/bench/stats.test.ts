/**
 * The benchmark's own arithmetic: nearest-rank percentiles, interleaving, and reading the
 * Pushgateway's push counters. A wrong percentile or byte count would make every figure in
 * docs/performance.md wrong while looking plausible.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffCounts, parsePushStats, ZERO_COUNTS } from '../../../bench/lib/sinks.ts';
import { percentileOf, rotate, sorted, summarize } from '../../../bench/lib/stats.ts';

describe('bench statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const values = sorted(Array.from({ length: 100 }, (_, i) => 100 - i)); // 1..100, shuffled order in
    assert.equal(percentileOf(values, 50), 50);
    assert.equal(percentileOf(values, 90), 90);
    assert.equal(percentileOf(values, 99), 99);
    assert.equal(percentileOf(values, 100), 100);
    assert.equal(percentileOf(sorted([7]), 99), 7);
    assert.ok(Number.isNaN(percentileOf(sorted([]), 50)));
  });

  it('summarizes without depending on input order', () => {
    const s = summarize([5, 1, 4, 2, 3]);
    assert.deepEqual({ n: s.n, median: s.median, min: s.min, max: s.max, mean: s.mean }, { n: 5, median: 3, min: 1, max: 5, mean: 3 });
  });

  it('rotates so that every variant runs in every position', () => {
    const items = ['a', 'b', 'c'];
    const firsts = [0, 1, 2].map((round) => rotate(items, round)[0]);
    assert.deepEqual(firsts, ['a', 'b', 'c']);
    assert.deepEqual(rotate(items, 4), ['b', 'c', 'a']);
  });
});

describe('bench sinks', () => {
  it('sums the Pushgateway push counters over every method and counts refused pushes', () => {
    const text = [
      '# HELP pushgateway_http_push_size_bytes HTTP request size for pushes to the Pushgateway.',
      'pushgateway_http_push_size_bytes{method="post",quantile="0.5"} 900',
      'pushgateway_http_push_size_bytes_sum{method="post"} 1800',
      'pushgateway_http_push_size_bytes_count{method="post"} 2',
      'pushgateway_http_push_size_bytes_sum{method="put"} 4755',
      'pushgateway_http_push_size_bytes_count{method="put"} 1',
      'pushgateway_http_requests_total{code="200",handler="push",method="put"} 1',
      'pushgateway_http_requests_total{code="400",handler="push",method="post"} 3',
      'pushgateway_http_requests_total{code="404",handler="status",method="get"} 9',
      '',
    ].join('\n');
    assert.deepEqual(parsePushStats(text), { requests: 3, bytes: 6555, failures: 3 });
  });

  it('takes differences of cumulative counts', () => {
    const before = { ...ZERO_COUNTS, otlpBytes: 100, spans: 2 };
    const after = { ...ZERO_COUNTS, otlpBytes: 350, spans: 6, pushRequests: 1 };
    assert.deepEqual(diffCounts(after, before), { ...ZERO_COUNTS, otlpBytes: 250, spans: 4, pushRequests: 1 });
  });
});
