import { describe, expect, test } from "bun:test";
import { RollingWindow, type WindowTrade } from "../src/rolling-window.ts";

/** mulberry32: a small seeded PRNG, so a failing case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MIN = 60_000;
const DAY = 1440 * MIN;

/**
 * The definition, computed the slow way: the window ends at the newest bucket seen (clock or
 * trade) and holds the trades whose bucket is within the last 1440, among all trades ever added
 * (a trade older than the window when it arrived never counts).
 */
function bruteForce(added: WindowTrade[], headIndex: number) {
  const inWindow = added.filter((t) => Math.floor(t.ts / MIN) > headIndex - 1440);
  if (inWindow.length === 0) return undefined;
  let open = inWindow[0]!;
  let last = inWindow[0]!;
  let high = -Infinity;
  let low = Infinity;
  let volume = 0;
  let quoteVolume = 0;
  let simulated = false;
  for (const t of inWindow) {
    if (t.ts < open.ts) open = t;
    if (t.ts >= last.ts) last = t;
    high = Math.max(high, t.price);
    low = Math.min(low, t.price);
    volume += t.amount;
    quoteVolume += t.price * t.amount;
    simulated ||= t.simulated === true;
  }
  return {
    open: open.price,
    last: last.price,
    high,
    low,
    volume,
    quoteVolume,
    vwap: quoteVolume / volume,
    trades: inWindow.length,
    change: last.price - open.price,
    changePct: ((last.price - open.price) / open.price) * 100,
    simulated,
  };
}

function expectClose(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

function compare(w: RollingWindow, added: WindowTrade[], head: number): void {
  const want = bruteForce(added, head);
  const got = w.stats();
  if (want === undefined) {
    expect(got).toBeUndefined();
    return;
  }
  expect(got).toBeDefined();
  expect(got!.open).toBe(want.open);
  expect(got!.last).toBe(want.last);
  expect(got!.high).toBe(want.high);
  expect(got!.low).toBe(want.low);
  expect(got!.trades).toBe(want.trades);
  expect(got!.simulated).toBe(want.simulated);
  expectClose(got!.volume, want.volume);
  expectClose(got!.quoteVolume, want.quoteVolume);
  expectClose(got!.vwap, want.vwap);
  expectClose(got!.change, want.change);
  expectClose(got!.changePct, want.changePct);
}

describe("RollingWindow vs brute force", () => {
  for (const seed of [1, 7, 42, 1234, 99991]) {
    test(`seed ${seed}: random trades over 3 days, with late trades and clock ticks`, () => {
      const rnd = prng(seed);
      const w = new RollingWindow();
      const added: WindowTrade[] = [];
      let clock = Date.UTC(2025, 0, 1) + Math.floor(rnd() * MIN);
      let head = -Infinity;
      const end = clock + 3 * DAY;
      let checks = 0;
      while (clock < end) {
        // Bursts (same millisecond), minutes apart, and now and then hours of silence.
        const gap = rnd();
        clock += gap < 0.005 ? Math.floor(rnd() * 6 * 3600_000) : gap < 0.2 ? 0 : Math.floor(rnd() * 3 * MIN);
        const r = rnd();
        if (r < 0.1) {
          // The clock moves without a trade.
          w.advance(clock);
          head = Math.max(head, Math.floor(clock / MIN));
        } else {
          // 15% late (up to 30 h old, so some are outside the window), a few from the future.
          const offset =
            r < 0.25 ? -Math.floor(rnd() * 30 * 3600_000) : r > 0.98 ? Math.floor(rnd() * 5 * MIN) : 0;
          const t: WindowTrade = {
            ts: clock + offset + rnd(), // fractional ms, like exchange microseconds
            price: Math.round((100 + rnd() * 50) * 100) / 100,
            amount: Math.round(rnd() * 10_000) / 1000,
            simulated: rnd() < 0.01,
          };
          w.advance(clock);
          head = Math.max(head, Math.floor(clock / MIN));
          const inside = Math.floor(t.ts / MIN) > Math.max(head, Math.floor(t.ts / MIN)) - 1440;
          expect(w.add(t)).toBe(inside);
          head = Math.max(head, Math.floor(t.ts / MIN));
          if (inside) added.push(t);
        }
        if (rnd() < 0.3) {
          compare(w, added, head);
          checks++;
        }
      }
      compare(w, added, head);
      expect(checks).toBeGreaterThan(500);
    });
  }

  test("ties on time: open is the first trade added, last the last", () => {
    const w = new RollingWindow();
    const ts = Date.UTC(2025, 0, 1, 12);
    w.add({ ts, price: 1, amount: 1 });
    w.add({ ts, price: 2, amount: 1 });
    w.add({ ts, price: 3, amount: 1 });
    const s = w.stats()!;
    expect(s.open).toBe(1);
    expect(s.last).toBe(3);
  });
});

describe("RollingWindow expiry", () => {
  const t0 = Date.UTC(2025, 0, 1, 0, 0, 30);

  test("a trade leaves the window 1440 buckets after its own", () => {
    const w = new RollingWindow();
    w.add({ ts: t0, price: 100, amount: 2 });
    w.add({ ts: t0 + 10 * MIN, price: 110, amount: 1 });
    // Still inside at the last millisecond of bucket index(t0) + 1439.
    expect(w.advance(Date.UTC(2025, 0, 1, 23, 59, 59, 999))).toBe(false);
    expect(w.stats()!.trades).toBe(2);
    expect(w.stats()!.open).toBe(100);
    // The next bucket pushes the first trade out.
    expect(w.advance(Date.UTC(2025, 0, 2))).toBe(true);
    const s = w.stats()!;
    expect(s).toMatchObject({
      trades: 1,
      open: 110,
      last: 110,
      high: 110,
      low: 110,
      volume: 1,
      quoteVolume: 110,
    });
    expect(s.change).toBe(0);
    // And 10 minutes later the window is empty.
    expect(w.advance(Date.UTC(2025, 0, 2, 0, 10))).toBe(true);
    expect(w.stats()).toBeUndefined();
    expect(w.empty).toBe(true);
  });

  test("a trade older than the window is ignored", () => {
    const w = new RollingWindow();
    w.advance(t0 + DAY);
    expect(w.add({ ts: t0 - MIN, price: 1, amount: 1 })).toBe(false);
    expect(w.stats()).toBeUndefined();
  });

  test("the clock never moves the window backwards", () => {
    const w = new RollingWindow();
    w.add({ ts: t0 + DAY, price: 5, amount: 1 });
    expect(w.advance(t0)).toBe(false);
    expect(w.add({ ts: t0, price: 1, amount: 1 })).toBe(false);
    expect(w.stats()!.trades).toBe(1);
  });

  test("memory is bounded by the bucket count, not the trade count", () => {
    const w = new RollingWindow(10, 1000);
    for (let i = 0; i < 100_000; i++) w.add({ ts: t0 + i, price: 1 + (i % 7), amount: 1 });
    const buckets = (w as unknown as { buckets: unknown[] }).buckets;
    expect(buckets.length).toBeLessThanOrEqual(10);
    expect(w.stats()!.trades).toBe(10_000);
  });
});

describe("RollingWindow checkpoint", () => {
  for (const seed of [3, 77, 2024]) {
    test(`seed ${seed}: incremental changes, pruned below the oldest index, restore the same window`, () => {
      const rnd = prng(seed);
      const w = new RollingWindow();
      // What a checkpoint store holds: packed buckets by index, updated from takeChanged.
      const stored = new Map<number, number[]>();
      let clock = Date.UTC(2025, 0, 1);
      let restores = 0;
      for (let i = 0; i < 20_000; i++) {
        clock += rnd() < 0.002 ? Math.floor(rnd() * 8 * 3600_000) : Math.floor(rnd() * 20_000);
        const late = rnd() < 0.1 ? Math.floor(rnd() * 20 * 3600_000) : 0;
        w.advance(clock);
        w.add({
          ts: clock - late,
          price: 100 + rnd() * 10,
          amount: rnd(),
          simulated: rnd() < 0.01,
          logReturn: rnd() - 0.5,
        });
        if (rnd() < 0.05) {
          for (const b of w.takeChanged()) stored.set(b[0]!, b);
          for (const index of stored.keys()) if (index < w.oldestIndex) stored.delete(index);
          const copy = new RollingWindow();
          copy.restore(w.headIndex, [...stored.values()]);
          expect(copy.stats()).toEqual(w.stats());
          expect(copy.takeChanged(true)).toEqual(w.takeChanged(true));
          restores++;
        }
      }
      expect(restores).toBeGreaterThan(500);
    });
  }

  test("restore skips unreadable buckets and buckets outside the window", () => {
    const w = new RollingWindow(10, 1000);
    w.add({ ts: 5_500, price: 10, amount: 1 });
    w.add({ ts: 9_100, price: 12, amount: 2 });
    const packed = w.takeChanged(true);
    const copy = new RollingWindow(10, 1000);
    copy.restore(w.headIndex, [
      ...packed,
      [2, 1, 1],
      [-20, ...packed[0]!.slice(1)],
      [3, Number.NaN, ...packed[0]!.slice(2)],
    ]);
    expect(copy.stats()).toEqual(w.stats());
  });
});
