#!/usr/bin/env bun
/**
 * Soak (issue 10 items 2 and 6): the whole platform on throwaway NATS, Redis and TimescaleDB,
 * all seven simulated exchanges at a steady rate, a resuming WebSocket client on every trade plus
 * many dashboard-like clients, for a long time. Samples each process's memory, counts error log
 * lines, and at the end compares everything with the simulators' ground truth.
 *
 *   bun tests/chaos/soak.ts                                  # 60 min, 2000 trades/s, 200 clients
 *   bun tests/chaos/soak.ts --minutes 5 --rate 500 --clients 20   # a short look
 *
 * Writes tests/chaos/results/soak-<date>.json and soak-<date>-rss.png and prints a Markdown summary.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SERVICE_NAMES as SERVICES } from "@tickerplant/testkit";
import Redis from "ioredis";
import postgres from "postgres";
import { metricLines, metricValue, scrape } from "./lib/metrics.ts";
import { Platform } from "./lib/platform.ts";
import { linePlotPng, PALETTE } from "./lib/plot.ts";
import { rssMiB, treeAnonMiB } from "./lib/rss.ts";
import { checkTruth, sum, tickerMismatches, waitStored } from "./lib/truth-check.ts";
import { ResumingClient } from "./lib/ws-resume.ts";

const EXCHANGES = ["binance", "bybit", "okx", "coinbase", "kraken", "whitebit", "bingx"];
const MARKETS = ["BTC-USDT", "ETH-USDT"];

const { values: args } = parseArgs({
  options: {
    minutes: { type: "string", default: "60" },
    rate: { type: "string", default: "2000" },
    clients: { type: "string", default: "200" },
    "warmup-minutes": { type: "string" },
    "sample-seconds": { type: "string", default: "30" },
  },
});
const MINUTES = Number(args.minutes);
const RATE = Number(args.rate);
const CLIENTS = Number(args.clients);
const WARMUP_MIN = Number(args["warmup-minutes"] ?? Math.min(10, MINUTES / 6));
const SAMPLE_MS = Number(args["sample-seconds"]) * 1000;
const STAMP = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
const OUT = join(import.meta.dir, "results");
mkdirSync(OUT, { recursive: true });
const logDir = join(OUT, `soak-${STAMP}-logs`);

function log(msg: string): void {
  console.log(`${new Date().toISOString().slice(11, 19)} ${msg}`);
}

/** 200 clients: most watch one exchange's tickers and top of book; every 20th its trades. */
function clientPlan(n: number): string[][] {
  return Array.from({ length: n }, (_, i) => {
    const ex = EXCHANGES[i % EXCHANGES.length]!;
    return i % 20 === 0 ? [`trade:${ex}:*`] : [`ticker:${ex}:*`, `bbo:${ex}:${MARKETS[i % MARKETS.length]}`];
  });
}

log(`soak: ${MINUTES} min at ${RATE} trades/s over ${EXCHANGES.length} exchanges, ${CLIENTS} clients`);
const platform = await Platform.start({
  exchanges: EXCHANGES,
  markets: MARKETS,
  tradesPerSecond: RATE,
  channels: "trade,bbo,ticker,candle",
  logDir,
});
const sql = postgres(platform.infra.postgres.url, { max: 2, onnotice: () => {} });
const redis = new Redis(platform.infra.redis.url);
const resuming = new ResumingClient(
  platform.gatewayUrl("/ws", true),
  EXCHANGES.map((ex) => `trade:${ex}:*`),
);
resuming.start();
const worker = new Worker(new URL("./lib/clients.worker.ts", import.meta.url).href);
let clientTotals: Record<string, unknown> = {};
worker.onmessage = (ev) => {
  clientTotals = ev.data;
};
await Bun.sleep(1000);
platform.resume();
const startedAt = Date.now();
worker.postMessage({ url: platform.gatewayUrl("/ws", true), clients: clientPlan(CLIENTS), reportMs: 5000 });

type Sample = { min: number; rss: Record<string, number>; generated: number; stored: number; ws: number };
const samples: Sample[] = [];
const groups = (): Record<string, number | undefined> => {
  const out: Record<string, number | undefined> = {};
  for (const name of SERVICES) {
    const pid = platform.service(name).pid;
    out[name] = pid ? rssMiB(pid) : undefined;
  }
  out["nats-server"] = rssMiB(platform.infra.nats.pids()[0] ?? 0);
  out.redis = rssMiB(platform.infra.redis.pids()[0] ?? 0);
  out["postgres (private)"] = treeAnonMiB(platform.infra.postgres.pids()[0] ?? 0);
  out["runner (simulators + clients)"] = rssMiB(process.pid);
  return out;
};
const totalGenerated = () => [...platform.sims.values()].reduce((n, s) => n + s.sim.truth.total(), 0);

const endAt = startedAt + MINUTES * 60_000;
while (Date.now() < endAt) {
  await Bun.sleep(Math.min(SAMPLE_MS, Math.max(0, endAt - Date.now())));
  const rss: Record<string, number> = {};
  for (const [k, v] of Object.entries(groups())) if (v !== undefined) rss[k] = Math.round(v * 10) / 10;
  const writer = await scrape(platform.service("storage-writer").httpPort);
  const s: Sample = {
    min: (Date.now() - startedAt) / 60_000,
    rss,
    generated: totalGenerated(),
    stored: metricValue(writer, "tickerplant_storage_rows_written_total", { table: "trades" }),
    ws: resuming.count(),
  };
  samples.push(s);
  log(
    `t=${s.min.toFixed(1)} min generated ${s.generated} stored ${s.stored} resuming-client ${s.ws} ` +
      `clients open ${clientTotals.open ?? "?"} | ${Object.entries(rss)
        .map(([k, v]) => `${k.split(" ")[0]} ${v}`)
        .join(", ")}`,
  );
}

platform.pause();
const cutoff = Date.now();
log("paused; waiting for TimescaleDB to hold everything generated");
await waitStored(platform, sql, cutoff, 4 * 60_000);
await Bun.sleep(3000);
const checks = await checkTruth(platform, sql, resuming, cutoff);
const tickers = await tickerMismatches(platform, redis);
worker.postMessage("stop");
await Bun.sleep(1000);
const ingestorMetrics = await scrape(platform.service("ingestor").httpPort);
const simStats = Object.fromEntries([...platform.sims].map(([ex, s]) => [ex, s.sim.stats()]));
const errors = Object.fromEntries(SERVICES.map((n) => [n, platform.service(n).errorLines]));

// Memory growth after warm-up: last five samples vs. the first five after warm-up.
const growth: Record<string, { afterWarmup: number; end: number; growthPct: number }> = {};
const warm = samples.filter((s) => s.min >= WARMUP_MIN);
for (const name of Object.keys(samples.at(-1)?.rss ?? {})) {
  const head = warm.slice(0, 5).map((s) => s.rss[name] ?? 0);
  const tail = warm.slice(-5).map((s) => s.rss[name] ?? 0);
  if (head.length === 0 || tail.length === 0) continue;
  const a = head.reduce((x, y) => x + y, 0) / head.length;
  const b = tail.reduce((x, y) => x + y, 0) / tail.length;
  growth[name] = {
    afterWarmup: Math.round(a),
    end: Math.round(b),
    growthPct: Math.round(((b - a) / a) * 1000) / 10,
  };
}

const names = Object.keys(growth);
const png = linePlotPng(
  names.map((name) => ({ name, points: samples.map((s) => [s.min, s.rss[name] ?? 0] as [number, number]) })),
);
const pngPath = join(OUT, `soak-${STAMP}-rss.png`);
writeFileSync(pngPath, png);

const report = {
  startedAt: new Date(startedAt).toISOString(),
  minutes: MINUTES,
  rate: RATE,
  exchanges: EXCHANGES,
  markets: MARKETS,
  clients: CLIENTS,
  warmupMinutes: WARMUP_MIN,
  generated: totalGenerated(),
  totals: {
    stored: sum(checks, "stored"),
    lostInGap: sum(checks, "lostInGap"),
    lostSilently: sum(checks, "lostSilently"),
    duplicated: sum(checks, "duplicated"),
    invented: sum(checks, "invented"),
    wsLostInGap: sum(checks, "wsLostInGap"),
    wsLostSilently: sum(checks, "wsLostSilently"),
    wsDuplicated: sum(checks, "wsDuplicated"),
    wsOutOfOrder: sum(checks, "wsOutOfOrder"),
    candlesChecked: sum(checks, "candlesChecked"),
    candlesWrong: sum(checks, "candlesWrong"),
    gaps: sum(checks, "gaps"),
    resumingClientReconnects: resuming.reconnects,
  },
  tickerMismatches: tickers,
  growth,
  errors,
  clientTotals,
  connectionEvents: metricLines(ingestorMetrics, "tickerplant_ingest_connection_events_total"),
  invalidFrames: metricLines(ingestorMetrics, "tickerplant_ingest_invalid_frames_total"),
  publishFailures: metricValue(ingestorMetrics, "tickerplant_publish_failures_total"),
  simStats,
  checks,
  samples,
};
writeFileSync(join(OUT, `soak-${STAMP}.json`), JSON.stringify(report, null, 2));

console.log(`\n## Soak ${report.startedAt}: ${MINUTES} min, ${RATE} trades/s offered, ${CLIENTS} clients\n`);
console.log(`generated ${report.generated}; stored ${report.totals.stored}`);
console.log("| check | value |\n|---|---:|");
for (const [k, v] of Object.entries(report.totals)) console.log(`| ${k} | ${v} |`);
console.log(`| ticker mismatches in Redis | ${tickers.length} |`);
console.log(`| error log lines | ${Object.values(errors).reduce((n, e) => n + e.length, 0)} |`);
console.log("\n| process | RSS after warm-up (MiB) | at end | growth |\n|---|---:|---:|---:|");
names.forEach((n, i) => {
  const g = growth[n]!;
  console.log(
    `| ${n} (rgb ${PALETTE[i % PALETTE.length]!.join(",")}) | ${g.afterWarmup} | ${g.end} | ${g.growthPct} % |`,
  );
});
console.log(`\nplot: ${pngPath}\nlogs: ${logDir}`);

resuming.stop();
worker.terminate();
await sql.end();
redis.disconnect();
await platform.stop();
process.exit(0);
