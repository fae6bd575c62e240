#!/usr/bin/env bun
/**
 * The platform as `infra/up.sh` brings it up, from outside (docs/benchmarks.md, "Platform ramp";
 * issue 11's second target): the Binance simulator's rate is raised in steps while a WebSocket
 * client subscribes to `trade:binance:*` on the gateway.
 *
 *   bash infra/up.sh && bun bench/platform.ts
 *   bun bench/platform.ts --rates 2000,5000,10000,20000 --seconds 10 \
 *     --gateway http://127.0.0.1:8080 --simulator http://127.0.0.1:9500
 *
 * Per step: the simulator trades at the step's rate for `--seconds`, then pauses; the step is
 * **complete** when the client holds every trade the simulator made (its ground truth,
 * `/_sim/truth/counts`), each once and in order, and **sustained** when that happens ≤ 1 s after
 * the pause. Latency: simulator `ts` → the client's receive time (p50/p99). The simulator is left
 * at the rate it had, running. Writes bench/results/platform-<date>.json and prints a table.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { WsProbe } from "./lib/ws-probe.ts";

const { values: args } = parseArgs({
  options: {
    rates: { type: "string", default: "1000,2000,5000,10000,20000" },
    seconds: { type: "string", default: "10" },
    gateway: { type: "string", default: "http://127.0.0.1:8080" },
    simulator: { type: "string", default: "http://127.0.0.1:9500" },
  },
});
const RATES = args.rates.split(",").map(Number);
const SECONDS = Number(args.seconds);
const SIM = args.simulator.replace(/\/$/, "");
const GATEWAY = args.gateway.replace(/\/$/, "");

async function sim<T>(path: string): Promise<T> {
  const res = await fetch(`${SIM}${path}`);
  if (!res.ok) throw new Error(`${SIM}${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const info = await sim<{ exchange: string; markets: { market: string }[] }>("/_sim/info");
if (info.exchange !== "binance") throw new Error(`${SIM} simulates ${info.exchange}, not binance`);
const stats = await sim<{ tradesPerSecond: number }>("/_sim/stats");
const markets = info.markets.map((m) => m.market);
const wsUrl = `${GATEWAY.replace(/^http/, "ws")}/ws`;

// Quiet while the client subscribes, so it knows the last id of every market before it listens.
await sim("/_sim/pause");
await Bun.sleep(500);
const startIds = await sim<Record<string, number>>("/_sim/truth/counts");
const probe = new WsProbe();
await probe.connect(wsUrl, ["trade:binance:*"], markets, 10_000, startIds);

interface Step {
  rate: number;
  trades: number;
  sustained: boolean;
  completeAfterPauseMs: number | null;
  missing: number;
  duplicates: number;
  p50Ms: number;
  p99Ms: number;
}
const steps: Step[] = [];
let closedBy: { code: number; reason: string } | null = null;
try {
  for (const [i, rate] of RATES.entries()) {
    const before = await sim<Record<string, number>>("/_sim/truth/counts");
    await sim(`/_sim/rate?tradesPerSecond=${rate}`);
    probe.step(i);
    await sim("/_sim/resume");
    await Bun.sleep(SECONDS * 1000);
    await sim("/_sim/pause");
    const pausedAt = performance.now();
    const truth = await sim<Record<string, number>>("/_sim/truth/counts");
    const trades = markets.reduce((s, m) => s + (truth[m] ?? 0) - (before[m] ?? 0), 0);
    let completeAfterPauseMs: number | null = null;
    let counts = await probe.counts();
    while (performance.now() - pausedAt < 30_000) {
      if (markets.every((m) => (counts.markets[m]?.lastId ?? 0) >= (truth[m] ?? 0))) {
        completeAfterPauseMs = Math.round(performance.now() - pausedAt);
        break;
      }
      await Bun.sleep(50);
      counts = await probe.counts();
    }
    const latency = await probe.latency(i);
    const missing = markets.reduce((s, m) => s + (counts.markets[m]?.missing ?? 0), 0);
    const duplicates = markets.reduce((s, m) => s + (counts.markets[m]?.duplicates ?? 0), 0);
    const step: Step = {
      rate,
      trades,
      sustained: completeAfterPauseMs !== null && completeAfterPauseMs <= 1000 && missing === 0,
      completeAfterPauseMs,
      missing,
      duplicates,
      p50Ms: Math.round(latency.e2e.p50 * 10) / 10,
      p99Ms: Math.round(latency.e2e.p99 * 10) / 10,
    };
    steps.push(step);
    console.error(JSON.stringify(step));
    if (counts.closed) {
      console.error(`the gateway closed the client: ${JSON.stringify(counts.closed)}`);
      closedBy = counts.closed;
      break;
    }
    if (!step.sustained) break;
  }
} finally {
  await probe.close();
  await sim(`/_sim/rate?tradesPerSecond=${stats.tradesPerSecond}`);
  await sim("/_sim/resume");
}

const lines = [
  `| trades/s offered (${SECONDS} s) | trades | sustained? | complete after pause | missing / duplicated | p50 / p99 ms |`,
  "| ---: | ---: | --- | ---: | ---: | ---: |",
  ...steps.map(
    (s) =>
      `| ${s.rate.toLocaleString("en")} | ${s.trades.toLocaleString("en")} | ${s.sustained ? "yes" : "no"} | ${s.completeAfterPauseMs === null ? "> 30 s" : `${s.completeAfterPauseMs} ms`} | ${s.missing} / ${s.duplicates} | ${s.p50Ms} / ${s.p99Ms} |`,
  ),
];
const dir = resolve(import.meta.dir, "results");
mkdirSync(dir, { recursive: true });
const file = join(dir, `platform-${new Date().toISOString().replaceAll(":", "-").slice(0, 19)}.json`);
writeFileSync(
  file,
  JSON.stringify(
    { at: new Date().toISOString(), gateway: GATEWAY, simulator: SIM, steps, closedBy },
    null,
    2,
  ),
);
if (closedBy)
  lines.push("", `The gateway closed the client in the last step: ${closedBy.code} ${closedBy.reason}.`);
console.log(lines.join("\n"));
console.log(`\n(${file})`);
process.exit(0);
