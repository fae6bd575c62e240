#!/usr/bin/env bun
/**
 * Normalization throughput per exchange (docs/benchmarks.md, "Normalization").
 *
 *   bun bench/normalize.ts            # all frame sets, ~1 min, one core
 *   bun bench/normalize.ts --quick    # shorter rounds (smoke run)
 *   bun bench/normalize.ts --only okx # frame sets whose label contains "okx"
 *
 * Every adapter in the registry parses the recorded frames of packages/core/test/fixtures,
 * and in the same run, on the same frames, tardis-dev's normalizers and ccxt.pro's handleMessage
 * (devDependencies of the benchmark only; no network). Each implementation warms up, then runs
 * whole passes over its frame set with fresh parser state per pass; the median of 5 rounds is
 * reported as frames/s on one core. Writes bench/results/normalize-<date>.json.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { EXCHANGES, getAdapter, type MarketMessage } from "@tickerplant/core";
import { ccxtPass } from "./lib/peers/ccxt.ts";
import { fixturesDir, readFrames } from "./lib/peers/fixtures.ts";
import { FRAME_SETS, type FrameSet, isSkip, UNRECORDED } from "./lib/peers/frame-sets.ts";
import { machine, packageVersion, si, writeResult } from "./lib/peers/machine.ts";
import { type Counted, oursPass } from "./lib/peers/ours.ts";
import { tardisPass } from "./lib/peers/tardis.ts";
import { DEFAULT_TIMING, type Rate, ratio, type TimingOptions, timeInterleaved } from "./lib/peers/timing.ts";

const { values: args } = parseArgs({
  options: { quick: { type: "boolean", default: false }, only: { type: "string" } },
});
const TIMING: TimingOptions = args.quick ? { warmupMs: 50, rounds: 3, roundMs: 30 } : DEFAULT_TIMING;

interface Measured {
  rate: Rate;
  /** Normalized messages per pass (ccxt: resolves of watcher futures). */
  messages: number;
  /** Frames per pass that threw or were reported invalid. */
  failed: number;
  /** Ours ÷ this, median of per-round ratios of frames per CPU-second. */
  oursRatio: number;
}

type PeerResult = Measured | { skip: string };

interface SetResult {
  label: string;
  adapter: string;
  frames: number;
  files: string[];
  ours: Measured;
  tardis: PeerResult;
  ccxt: PeerResult;
}

/** Fails loudly when an adapter was added to the registry without a frame set here. */
function checkCoverage(): void {
  for (const ex of Object.values(EXCHANGES)) {
    for (const a of ex.adapters) {
      const covered =
        FRAME_SETS.some((s) => s.exchange === a.id && s.marketType === a.marketType) ||
        UNRECORDED.some((u) => u.exchange === a.id && u.marketType === a.marketType);
      if (!covered)
        throw new Error(`adapter ${a.id} ${a.marketType} has no frame set in bench/lib/peers/frame-sets.ts`);
    }
  }
}

/** The exchange's own symbols in the frames, as our adapter reads them (ccxt's market list). */
function symbolsOf(set: FrameSet, frames: readonly string[]): string[] {
  const adapter = getAdapter(set.exchange, set.marketType)!;
  const ctx = { recvTs: 0, marketOf: adapter.marketOfSymbol, state: new Map() };
  const out = new Set<string>();
  for (const f of frames) {
    const r = adapter.parseFrame(f, ctx);
    if (r.kind === "data") for (const m of r.messages as MarketMessage[]) out.add(m.symbol);
  }
  return [...out];
}

function runSet(set: FrameSet): SetResult {
  const adapter = getAdapter(set.exchange, set.marketType);
  if (!adapter) throw new Error(`no adapter ${set.exchange} ${set.marketType}`);
  const frames = set.files.flatMap(readFrames);
  const snapshots = (set.snapshots ?? []).map((s) => ({
    symbol: s.symbol,
    body: readFileSync(join(fixturesDir(), s.file), "utf8"),
  }));
  const contenders: Partial<Record<"ours" | "tardis" | "ccxt", Counted>> = {
    ours: oursPass(adapter, frames),
  };
  if (!isSkip(set.tardis)) contenders.tardis = tardisPass(set.tardis, frames, snapshots);
  if (!isSkip(set.ccxt)) {
    const markets = set.ccxt.id === "coinbaseexchange" ? symbolsOf(set, frames) : undefined;
    contenders.ccxt = ccxtPass({ ...set.ccxt, snapshots, markets }, frames);
  }
  const rates = timeInterleaved(contenders as Record<string, Counted>, TIMING);
  const result = (k: "ours" | "tardis" | "ccxt"): Measured => ({
    rate: rates[k]!,
    messages: contenders[k]!.messages,
    failed: contenders[k]!.failed,
    oursRatio: ratio(rates.ours!, rates[k]!),
  });
  const ours = result("ours");
  const tardis: PeerResult = isSkip(set.tardis) ? set.tardis : result("tardis");
  const ccxt: PeerResult = isSkip(set.ccxt) ? set.ccxt : result("ccxt");
  return {
    label: set.label,
    adapter: `${adapter.id} ${adapter.marketType}`,
    frames: frames.length,
    files: set.files,
    ours,
    tardis,
    ccxt,
  };
}

const times = (peer: PeerResult): string => ("skip" in peer ? "–" : `${peer.oursRatio.toFixed(2)}×`);

const cell = (p: PeerResult): string =>
  "skip" in p
    ? `n/a: ${p.skip}`
    : `${si(p.rate.perCpuSecond)} (${p.messages}${p.failed > 0 ? `, ${p.failed} failed` : ""})`;

function render(results: SetResult[], meta: Record<string, unknown>): string {
  const out: string[] = [];
  out.push(
    `Machine: ${Object.entries(meta)
      .map(([k, v]) => `${k} ${v}`)
      .join("; ")}`,
  );
  out.push("");
  out.push(
    "| frame set (adapter) | frames | ours frames/s (msgs out) | tardis-dev frames/s (msgs out) | ours ÷ tardis | ccxt frames/s (resolves) | ours ÷ ccxt |",
  );
  out.push("|---|---:|---:|---|---:|---|---:|");
  for (const r of results) {
    const ours = `${si(r.ours.rate.perCpuSecond)} (${r.ours.messages}${r.ours.failed > 0 ? `, ${r.ours.failed} invalid` : ""})`;
    out.push(
      `| ${r.label} (${r.adapter}) | ${r.frames} | ${ours} | ${cell(r.tardis)} | ${times(r.tardis)} | ${cell(r.ccxt)} | ${times(r.ccxt)} |`,
    );
  }
  for (const u of UNRECORDED)
    out.push(`| ${u.exchange} ${u.marketType} | 0 | not measured: ${u.why} | | | | |`);
  return out.join("\n");
}

checkCoverage();
const meta = {
  ...machine(),
  "tardis-dev": packageVersion("tardis-dev"),
  ccxt: packageVersion("ccxt"),
  timing: `${TIMING.warmupMs} ms warm-up, ${TIMING.rounds} interleaved rounds × ≥${TIMING.roundMs} ms each, medians; rates per CPU-second of the bench process`,
};
const results: SetResult[] = [];
for (const set of FRAME_SETS) {
  if (args.only && !set.label.toLowerCase().includes(args.only.toLowerCase())) continue;
  const r = runSet(set);
  results.push(r);
  const peer = (p: PeerResult) => ("skip" in p ? "n/a" : si(p.rate.perCpuSecond));
  console.error(
    `${r.label}: ours ${si(r.ours.rate.perCpuSecond)}/s, tardis ${peer(r.tardis)}, ccxt ${peer(r.ccxt)}`,
  );
}
const path = writeResult("normalize", { meta: { ...meta, loadavg1mAtEnd: machine().loadavg1m }, results });
console.log(render(results, meta));
console.log(`\n(${path})`);
