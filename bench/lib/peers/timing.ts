/**
 * Timing for the single-threaded micro-benchmarks (normalize, book). The two cores of the bench
 * machine are shared, so: state is rebuilt before every pass outside the clock; the contenders of
 * one comparison run interleaved, round by round (rotating who goes first), so they see the same
 * contention; rates are per CPU-second of this process (what a core of our own would do) as well as
 * per wall second; and medians over rounds are reported, ratios as the median of per-round ratios.
 * A full GC runs (untimed) before every contender's round, so that one contender's garbage, and
 * the JIT and GC threads it keeps busy, are not billed to the next one.
 */

/** One pass over a fixed workload. setup() is untimed; run() is timed and returns items processed. */
export interface Pass {
  setup(): void;
  run(): number;
}

export interface Rate {
  /** Items per pass (frames, level updates, reads). */
  itemsPerPass: number;
  passes: number;
  /** Median over rounds of items per CPU-second of this process (GC threads included). */
  perCpuSecond: number;
  /** Median over rounds of items per wall second. */
  perSecond: number;
  /** ns of CPU per item (from perCpuSecond). */
  nsPerItem: number;
  /** Best round's items per CPU-second. */
  best: number;
  /** Items per CPU-second in each round (for ratios). */
  rounds: number[];
}

export interface TimingOptions {
  /** Least untimed warm-up (JIT) of each contender before measuring; longer while the rate still improves. */
  warmupMs: number;
  /** Timed rounds; in each, every contender runs whole passes until roundMs of pass time is spent. */
  rounds: number;
  roundMs: number;
}

export const DEFAULT_TIMING: TimingOptions = { warmupMs: 300, rounds: 11, roundMs: 60 };

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? Number.NaN : n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};

const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** Longest warm-up when the rate keeps improving. */
const MAX_WARMUP_MS = 6000;
const SLICE_MS = 100;

/**
 * Runs passes until at least `ms` have passed and the rate has stopped improving (the last 100 ms
 * slice within 20 % of the best one: the noise of shared cores; a lower tier is several times slower). On a busy machine JSC's optimizing compilers run on threads
 * that wait for a core, so code can stay in a lower tier for seconds. Returns items per pass.
 */
function warmUp(p: Pass, ms: number): number {
  const start = performance.now();
  let items = 0;
  let best = 0;
  for (;;) {
    const sliceStart = performance.now();
    let done = 0;
    let ns = 0;
    while (performance.now() - sliceStart < SLICE_MS) {
      p.setup();
      const t0 = Bun.nanoseconds();
      items = p.run();
      ns += Bun.nanoseconds() - t0;
      done += items;
    }
    const rate = done / ns;
    best = Math.max(best, rate);
    const elapsed = performance.now() - start;
    if ((elapsed >= ms && rate >= 0.8 * best) || elapsed >= MAX_WARMUP_MS) return items;
  }
}

/** Times each contender; the result has one Rate per key of `passes`. */
export function timeInterleaved<K extends string>(
  passes: Record<K, Pass>,
  o: TimingOptions = DEFAULT_TIMING,
): Record<K, Rate> {
  const keys = Object.keys(passes) as K[];
  const acc = {} as Record<K, { items: number; passes: number; cpu: number[]; wall: number[] }>;
  for (const k of keys) acc[k] = { items: warmUp(passes[k], o.warmupMs), passes: 0, cpu: [], wall: [] };
  for (let r = 0; r < o.rounds; r++) {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[(i + r) % keys.length]!;
      const p = passes[k];
      Bun.gc(true);
      let ns = 0;
      let us = 0;
      let items = 0;
      while (ns < o.roundMs * 1e6) {
        p.setup();
        const c0 = cpuUs();
        const t0 = Bun.nanoseconds();
        items += p.run();
        ns += Bun.nanoseconds() - t0;
        us += cpuUs() - c0;
        acc[k].passes++;
      }
      acc[k].wall.push(items / (ns / 1e9));
      acc[k].cpu.push(items / (Math.max(us, 1) / 1e6));
    }
  }
  const out = {} as Record<K, Rate>;
  for (const k of keys) {
    const a = acc[k];
    const perCpuSecond = median(a.cpu);
    out[k] = {
      itemsPerPass: a.items,
      passes: a.passes,
      perCpuSecond,
      perSecond: median(a.wall),
      nsPerItem: 1e9 / perCpuSecond,
      best: Math.max(...a.cpu),
      rounds: a.cpu,
    };
  }
  return out;
}

/** Median over rounds of a's rate ÷ b's rate (both measured in the same rounds). */
export function ratio(a: Rate, b: Rate): number {
  return median(a.rounds.map((x, i) => x / b.rounds[i]!));
}
