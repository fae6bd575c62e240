/** Latency and throughput arithmetic for the benchmark reports. */

export interface Percentiles {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Nearest-rank percentiles of a sample (sorted in place). Empty samples give NaN everywhere. */
export function percentiles(values: number[] | Float64Array): Percentiles {
  const n = values.length;
  if (n === 0)
    return {
      count: 0,
      mean: Number.NaN,
      p50: Number.NaN,
      p90: Number.NaN,
      p99: Number.NaN,
      p999: Number.NaN,
      max: Number.NaN,
    };
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  return {
    count: n,
    mean: sum / n,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    p999: at(0.999),
    max: sorted[n - 1]!,
  };
}

/** Rounds for display and JSON (latencies in ms with µs resolution, rates as integers). */
export function round(value: number, decimals = 2): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

export function roundPercentiles(p: Percentiles, decimals = 2): Percentiles {
  return {
    count: p.count,
    mean: round(p.mean, decimals),
    p50: round(p.p50, decimals),
    p90: round(p.p90, decimals),
    p99: round(p.p99, decimals),
    p999: round(p.p999, decimals),
    max: round(p.max, decimals),
  };
}

/** Wall-clock time in ms with sub-millisecond resolution (same clock as Date.now()). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Items per second for `count` items done between two nowMs() readings. */
export function perSecond(count: number, startMs: number, endMs: number): number {
  return endMs > startMs ? (count * 1000) / (endMs - startMs) : Number.NaN;
}
