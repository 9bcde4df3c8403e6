/**
 * Summaries of timing samples: min, median, p95, p99 by nearest rank, so a p99 is
 * always a latency that was really observed, never an interpolation.
 */

export interface Summary {
  n: number;
  min: number;
  median: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Summary of samples in ms; values rounded to microseconds. */
export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return {
    n: s.length,
    min: r(s[0] ?? NaN),
    median: r(percentile(s, 50)),
    p95: r(percentile(s, 95)),
    p99: r(percentile(s, 99)),
    max: r(s[s.length - 1] ?? NaN),
    mean: r(mean),
  };
}

/** A latency histogram as [value, count] pairs (wrk's microseconds), merged across runs. */
export type Histogram = Array<[number, number]>;

/** Merges histograms from several runs of the same measurement. */
export function mergeHistograms(hs: readonly Histogram[]): Histogram {
  const m = new Map<number, number>();
  for (const h of hs) for (const [v, c] of h) m.set(v, (m.get(v) ?? 0) + c);
  return [...m.entries()].sort((a, b) => a[0] - b[0]);
}

/** Nearest-rank percentile of a histogram (p in 0..100). */
export function histogramPercentile(h: Histogram, p: number): number {
  const total = h.reduce((a, [, c]) => a + c, 0);
  if (total === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [v, c] of h) {
    seen += c;
    if (seen >= rank) return v;
  }
  return h[h.length - 1]![0];
}
