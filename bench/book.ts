#!/usr/bin/env bun
/**
 * Order-book engine benchmark (docs/benchmarks.md, "Order books").
 *
 *   bun bench/book.ts           # ~1 min, one core
 *   bun bench/book.ts --quick   # smaller workload, shorter rounds (smoke run)
 *
 * 1. Level distribution: measured on the recorded book sequences of packages/core/test/fixtures (parsed by
 *    our adapters, replayed through BookSync): action mix, rank from the best price, levels/message.
 * 2. Synthetic books of 1,000 and 5,000 levels per side, updated with that distribution (seeded):
 *    level updates/s of OrderBook.apply, of BookSync on top (Binance's continuity rules; OKX's,
 *    which keep the exchange's strings for its checksum), and of a naive Map reference.
 * 3. Top-N reads (N = 10, 20, 100, both sides) on those books: ns per read, ours vs Map + sort.
 * 4. The recordings themselves, replayed: apply vs BookSync with each exchange's rules (Kraken's
 *    and OKX's include CRC32 checksums) vs the naive reference.
 * Contenders run interleaved (see lib/peers/timing.ts). Writes bench/results/book-<date>.json.
 */
import { parseArgs } from "node:util";
import { type Book, BookSync, type BookSyncRules, getAdapter, OrderBook } from "@tickerplant/core";
import { loadRecordedBooks, type RecordedBook } from "./lib/peers/book-recordings.ts";
import {
  generateWorkload,
  type LevelDistribution,
  measureDistribution,
  type Workload,
} from "./lib/peers/book-workload.ts";
import { machine, si, writeResult } from "./lib/peers/machine.ts";
import { NaiveBook } from "./lib/peers/naive-book.ts";
import {
  DEFAULT_TIMING,
  median,
  type Pass,
  type Rate,
  type TimingOptions,
  timeInterleaved,
} from "./lib/peers/timing.ts";

const { values: args } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
const QUICK = args.quick === true;
const TIMING: TimingOptions = QUICK
  ? { warmupMs: 50, rounds: 3, roundMs: 30 }
  : { ...DEFAULT_TIMING, rounds: 7 };
/**
 * The first top-N measurements of a process ran 3–6× slower than later ones, steadily for seconds
 * whatever the warm-up (JSC kept recompiling BookSide.top), and the book measured first did not
 * matter: so all reads are measured after a priming pass over every book and N.
 */
const READ_TIMING: TimingOptions = QUICK ? TIMING : { ...TIMING, warmupMs: 500 };
const PRIMING: TimingOptions = { warmupMs: 300, rounds: 2, roundMs: 100 };
const LEVEL_UPDATES = QUICK ? 20_000 : 100_000;
const DEPTHS = [1000, 5000];
const TOP_N = [10, 20, 100];

const binanceRules = getAdapter("binance", "spot")!.bookSync!;
const okxRules = getAdapter("okx", "spot")!.bookSync!;

/** Keeps results alive so the reads are not optimized away. */
let sink = 0;

function distributionSummary(d: LevelDistribution) {
  const n = d.draws.length;
  const mix: Record<string, number> = {};
  for (const x of d.draws) mix[x.action] = (mix[x.action] ?? 0) + 1;
  const ranks = d.draws.map((x) => x.rank).sort((a, b) => a - b);
  const at = (q: number) => ranks[Math.min(n - 1, Math.floor(q * n))]!;
  const lpm = d.levelsPerMessage.reduce((a, b) => a + b, 0) / d.levelsPerMessage.length;
  return {
    recordings: d.recordings,
    levelUpdates: n,
    messages: d.levelsPerMessage.length,
    levelsPerMessage: Number(lpm.toFixed(2)),
    actionsPct: Object.fromEntries(
      Object.entries(mix).map(([k, v]) => [k, Number(((100 * v) / n).toFixed(1))]),
    ),
    rank: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: ranks[n - 1]! },
    withinTop10Pct: Number(((100 * ranks.filter((r) => r < 10).length) / n).toFixed(1)),
  };
}

function syncPass(
  rules: BookSyncRules,
  snapshot: Book,
  deltas: readonly Book[],
  fromRest: boolean,
  items: number,
) {
  let sync: BookSync;
  return {
    get book() {
      return sync.book;
    },
    setup() {
      sync = new BookSync(rules);
      if (fromRest) sync.onRestSnapshot(snapshot);
      else sync.onMessage(snapshot);
    },
    run() {
      for (let i = 0; i < deltas.length; i++) sync.onMessage(deltas[i]!);
      if (!sync.synced) throw new Error("the book broke during the benchmark");
      return items;
    },
  };
}

function applyPass(make: () => OrderBook, snapshot: Book, deltas: readonly Book[], items: number) {
  let book: OrderBook;
  return {
    get book() {
      return book;
    },
    setup() {
      book = make();
      book.reset(snapshot);
    },
    run() {
      for (let i = 0; i < deltas.length; i++) book.apply(deltas[i]!);
      return items;
    },
  };
}

function naivePass(snapshot: Book, deltas: readonly Book[], items: number) {
  let book: NaiveBook;
  return {
    get book() {
      return book;
    },
    setup() {
      book = new NaiveBook();
      book.reset(snapshot);
    },
    run() {
      for (let i = 0; i < deltas.length; i++) book.apply(deltas[i]!);
      return items;
    },
  };
}

/** The engine and the reference must agree, or the numbers mean nothing. */
function assertSameTop(a: { top(n: number): unknown }, b: { top(n: number): unknown }, what: string): void {
  const x = JSON.stringify(a.top(100));
  const y = JSON.stringify(b.top(100));
  if (x !== y) throw new Error(`${what}: the engine's top 100 differs from the reference`);
}

interface SyntheticResult {
  depth: number;
  messages: number;
  levelUpdates: number;
  rates: Record<"apply" | "naive" | "sync" | "syncExact", Rate>;
  topN: Array<{ n: number; ours: Rate; naive: Rate }>;
}

function runSynthetic(w: Workload): {
  result: SyntheticResult;
  books: { ours: OrderBook; naive: NaiveBook };
} {
  const items = w.levelUpdates;
  const apply = applyPass(() => new OrderBook(), w.snapshot, w.deltas, items);
  const naive = naivePass(w.snapshot, w.deltas, items);
  const sync = syncPass(binanceRules, w.snapshot, w.deltas, true, items);
  const syncExact = syncPass(okxRules, w.exactSnapshot, w.exactDeltas, false, items);
  const rates = timeInterleaved({ apply, naive, sync, syncExact }, TIMING);
  for (const p of [apply, naive, sync, syncExact]) {
    p.setup();
    p.run();
  }
  assertSameTop(apply.book, naive.book, `depth ${w.depth}`);
  assertSameTop(sync.book, naive.book, `depth ${w.depth} (BookSync)`);
  assertSameTop(syncExact.book, naive.book, `depth ${w.depth} (BookSync, exact)`);
  return {
    result: { depth: w.depth, messages: w.deltas.length, levelUpdates: items, rates, topN: [] },
    books: { ours: apply.book, naive: naive.book },
  };
}

/**
 * Top-N reads on the final books, measured once the workload is unreachable and collected, so the
 * collector's work on it is not billed to the reads (the reads' own garbage is).
 */
function runTopN(
  books: { ours: OrderBook; naive: NaiveBook },
  timing: TimingOptions,
): SyntheticResult["topN"] {
  Bun.gc(true);
  return TOP_N.map((n) => {
    const readsOf = (reads: number, book: { top(n: number): { bids: unknown[] } }): Pass => ({
      setup() {},
      run() {
        let got = 0;
        for (let i = 0; i < reads; i++) got += book.top(n).bids.length;
        sink += got;
        return reads;
      },
    });
    const r = timeInterleaved({ ours: readsOf(1000, books.ours), naive: readsOf(2, books.naive) }, timing);
    return { n, ours: r.ours, naive: r.naive };
  });
}

interface ReplayResult {
  group: string;
  recordings: number;
  messages: number;
  levelUpdates: number;
  rates: Record<"apply" | "sync" | "naive", Rate>;
}

/** Several recordings in one pass, each with its own book. */
function multi(passes: Pass[]): Pass {
  return {
    setup() {
      for (const p of passes) p.setup();
    },
    run() {
      let n = 0;
      for (const p of passes) n += p.run();
      return n;
    },
  };
}

function runReplay(group: string, recs: RecordedBook[]): ReplayResult {
  const count = (r: RecordedBook) => r.applied.length;
  const apply = multi(
    recs.map((r) =>
      applyPass(
        () => new OrderBook({ depth: r.rules.depth, keepExact: r.rules.verify !== undefined }),
        r.snapshot,
        r.applied,
        count(r),
      ),
    ),
  );
  const sync = multi(recs.map((r) => syncPass(r.rules, r.snapshot, r.messages, r.fromRest, count(r))));
  const naive = multi(recs.map((r) => naivePass(r.snapshot, r.applied, count(r))));
  const rates = timeInterleaved({ apply, sync, naive }, TIMING);
  const levels = recs.reduce(
    (s, r) => s + r.applied.reduce((t, m) => t + m.bids.length + m.asks.length, 0),
    0,
  );
  const messages = recs.reduce((s, r) => s + count(r), 0);
  return { group, recordings: recs.length, messages, levelUpdates: levels, rates };
}

const ns = (r: Rate) => r.nsPerItem.toFixed(0);

function render(
  meta: Record<string, unknown>,
  dist: ReturnType<typeof distributionSummary>,
  synthetic: SyntheticResult[],
  replays: ReplayResult[],
): string {
  const out: string[] = [];
  out.push(
    `Machine: ${Object.entries(meta)
      .map(([k, v]) => `${k} ${v}`)
      .join("; ")}`,
  );
  out.push("");
  out.push(
    `Level distribution (${dist.recordings} recordings, ${dist.levelUpdates} level updates in ${dist.messages} messages): ` +
      `${Object.entries(dist.actionsPct)
        .map(([k, v]) => `${k} ${v} %`)
        .join(", ")}; rank from best p50 ${dist.rank.p50}, ` +
      `p90 ${dist.rank.p90}, p99 ${dist.rank.p99} (${dist.withinTop10Pct} % in the top 10); ${dist.levelsPerMessage} levels/message.`,
  );
  out.push("");
  out.push(
    "| book (levels/side) | level updates (msgs) | OrderBook.apply | + BookSync, Binance rules | + BookSync, OKX rules (exact strings) | naive Map | BookSync overhead |",
  );
  out.push("|---|---:|---:|---:|---:|---:|---:|");
  for (const s of synthetic) {
    const { apply, sync, syncExact, naive } = s.rates;
    const lpm = s.levelUpdates / s.messages;
    const cell = (r: Rate) => `${si(r.perCpuSecond)}/s (${ns(r)} ns)`;
    const overhead = (sync.nsPerItem - apply.nsPerItem) * lpm;
    out.push(
      `| ${s.depth} | ${s.levelUpdates} (${s.messages}) | ${cell(apply)} | ${cell(sync)} | ${cell(syncExact)} | ${cell(naive)} | ${overhead.toFixed(0)} ns/msg (${((100 * (sync.nsPerItem - apply.nsPerItem)) / apply.nsPerItem).toFixed(0)} %) |`,
    );
  }
  out.push("");
  out.push(
    "| book (levels/side) | N | OrderBook.top(N), ns/read | naive Map + sort, ns/read | naive ÷ ours |",
  );
  out.push("|---|---:|---:|---:|---:|");
  for (const s of synthetic) {
    for (const t of s.topN) {
      out.push(
        `| ${s.depth} | ${t.n} | ${ns(t.ours)} | ${si(t.naive.nsPerItem)} | ${(t.naive.nsPerItem / t.ours.nsPerItem).toFixed(0)}× |`,
      );
    }
  }
  out.push("");
  out.push(
    "| recorded sequences | msgs (levels) | OrderBook.apply msgs/s | BookSync msgs/s | BookSync overhead | naive Map msgs/s |",
  );
  out.push("|---|---:|---:|---:|---:|---:|");
  for (const r of replays) {
    const { apply, sync, naive } = r.rates;
    out.push(
      `| ${r.group} (${r.recordings}) | ${r.messages} (${r.levelUpdates}) | ${si(apply.perCpuSecond)} | ${si(sync.perCpuSecond)} | ${(sync.nsPerItem - apply.nsPerItem).toFixed(0)} ns/msg | ${si(naive.perCpuSecond)} |`,
    );
  }
  return out.join("\n");
}

const meta = {
  ...machine(),
  timing: `${TIMING.warmupMs} ms warm-up, ${TIMING.rounds} interleaved rounds × ≥${TIMING.roundMs} ms each, medians; rates per CPU-second of the bench process`,
};
const recorded = loadRecordedBooks();
const dist = measureDistribution(Object.values(recorded).flat());
const distSummary = distributionSummary(dist);
console.error(`distribution: ${JSON.stringify(distSummary)}`);
const synthetic: SyntheticResult[] = [];
const finalBooks: Array<{ ours: OrderBook; naive: NaiveBook }> = [];
for (const depth of DEPTHS) {
  const { result: s, books } = runSynthetic(generateWorkload(dist, depth, LEVEL_UPDATES));
  synthetic.push(s);
  finalBooks.push(books);
  console.error(
    `depth ${depth}: apply ${si(s.rates.apply.perCpuSecond)} levels/s, sync ${si(s.rates.sync.perCpuSecond)}`,
  );
}
if (!QUICK) for (const books of finalBooks) runTopN(books, PRIMING);
synthetic.forEach((s, i) => {
  s.topN = runTopN(finalBooks[i]!, READ_TIMING);
});
const replays = Object.entries(recorded).map(([g, recs]) => runReplay(g, recs));
const medianRatio = median(synthetic.map((s) => s.rates.naive.perCpuSecond / s.rates.apply.perCpuSecond));
const path = writeResult("book", {
  meta: { ...meta, loadavg1mAtEnd: machine().loadavg1m },
  distribution: distSummary,
  synthetic,
  replays,
  naiveOverOursApply: medianRatio,
  sink,
});
console.log(render(meta, distSummary, synthetic, replays));
console.log(`\n(${path})`);
