#!/usr/bin/env bun
/**
 * Gateway REST reads under load (docs/benchmarks.md, "Gateway REST"; issue 11).
 *
 *   bun bench/rest.ts                   # ~1.5 min: 2 rounds × (bare, gateway) × 2 routes, 8 s each
 *   bun bench/rest.ts --seconds 4 --rounds 1 --connections 50
 *   bun bench/rest.ts --baseline /tmp/main-checkout   # also loads that checkout's gateway, same run
 *
 * Needs Redis and TimescaleDB up (`bash infra/stack.sh up`) and wrk (`apt-get install wrk`); starts
 * a NATS of its own and the gateway as a process. Seeds one market's ticker into Redis (database 14
 * unless BENCH_REDIS_URL) and 500 1m candles into TEST_DATABASE_URL, then loads, with wrk:
 *  - `/api/v1/tickers?exchange=binance&market=<m>` on the gateway, and a bare `Bun.serve` answering
 *    the very body the gateway returned (the ceiling of any Bun HTTP route on this machine);
 *  - the same route on a second gateway with LATEST_CACHE_MS=0 (a Redis read per request, as before);
 *  - `/api/v1/candles?…&interval=1m&limit=500` on the gateway: all connections asking the same
 *    window (dashboards polling a market: concurrent requests share one read), and each request
 *    its own window (a `from` a few ms apart, the same 500 rows: a read per request);
 *  - with --baseline, both routes on a gateway run from that checkout (before/after in one run).
 * Rounds alternate bare and gateway so that load from elsewhere falls on both; the ratio is taken
 * per round. Writes bench/results/rest-<date>.json and prints a Markdown table.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Candle, redisKeys, type Ticker } from "@tickerplant/core";
import Redis from "ioredis";
import postgres from "postgres";
import { upsertCandles, upsertMarkets } from "../packages/db/src/index.ts";
import { freePort, startNatsServer } from "../packages/testkit/src/nats-server.ts";
import { type ServiceProcess, startService } from "../packages/testkit/src/processes.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "8" },
    rounds: { type: "string", default: "2" },
    connections: { type: "string", default: "50" },
    /** Writes the gateway's CPU profile (Markdown) into this directory when it exits. */
    profile: { type: "string" },
    /** Another checkout (with node_modules) whose gateway is loaded alongside, e.g. main before a change. */
    baseline: { type: "string" },
    /** Only these loads (e.g. `candles` for a profile of that route alone): tickers or candles. */
    only: { type: "string" },
  },
});
const SECONDS = Number(args.seconds);
const CLOCK_TICKS = Number(Bun.spawnSync(["getconf", "CLK_TCK"]).stdout.toString().trim()) || 100;
const ROUNDS = Number(args.rounds);
const CONNECTIONS = Number(args.connections);
const RUN = Date.now().toString(36).toUpperCase();
const MARKET = `R${RUN}-USDT`;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/14";
const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";

if (Bun.spawnSync(["sh", "-c", "command -v wrk"]).exitCode !== 0)
  throw new Error("wrk not found: apt-get install wrk");

// --- data ------------------------------------------------------------------------------------
const now = Date.now();
const ticker: Ticker = {
  type: "ticker",
  exchange: "binance",
  market: MARKET,
  symbol: MARKET.replace("-", ""),
  ts: now,
  recvTs: now,
  last: 100.5,
  open: 99.1,
  high: 101.2,
  low: 98.7,
  volume: 12_345.678,
  quoteVolume: 1_234_567.89,
  change: 1.4,
  changePct: 1.4127,
  bid: 100.49,
  ask: 100.51,
};
const redis = new Redis(REDIS_URL);
const tickerKey = redisKeys.market("ticker", "binance", MARKET);
await redis.hset(tickerKey, { json: JSON.stringify(ticker), updatedAt: String(now) });
const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => {} });
const minute = 60_000;
const firstOpen = Math.floor(now / minute) * minute - 500 * minute;
const candles: Candle[] = Array.from({ length: 500 }, (_, i) => ({
  type: "candle",
  exchange: "binance",
  market: MARKET,
  symbol: ticker.symbol,
  interval: "1m",
  openTime: firstOpen + i * minute,
  closeTime: firstOpen + (i + 1) * minute - 1,
  open: 100 + Math.sin(i),
  high: 101 + Math.sin(i),
  low: 99 + Math.sin(i),
  close: 100.5 + Math.sin(i),
  volume: 10 + i,
  quoteVolume: 1000 + i,
  trades: 50 + i,
  closed: true,
  ts: firstOpen + (i + 1) * minute,
  recvTs: firstOpen + (i + 1) * minute,
}));

// --- servers ---------------------------------------------------------------------------------
const nats = await startNatsServer();
const gatewayEnv = {
  NATS_URL: nats.url,
  REDIS_URL,
  DATABASE_URL,
  LOG_LEVEL: "warn",
  HTTP_HOST: "127.0.0.1",
  RATE_LIMIT_PER_IP: "0", // one load generator on one address
};
const gatewayPort = await freePort();
const gateway = startService(
  "gateway",
  {
    ...gatewayEnv,
    ...(args.profile ? { BUN_OPTIONS: `--cpu-prof-md --cpu-prof-dir=${resolve(args.profile)}` } : {}),
  },
  gatewayPort,
);
// The same gateway reading Redis on every request (LATEST_CACHE_MS=0): the route as it was.
const uncachedPort = await freePort();
const uncached = startService("gateway", { ...gatewayEnv, LATEST_CACHE_MS: "0" }, uncachedPort);
const baselinePort = await freePort();
const baseline = args.baseline
  ? startService("gateway", gatewayEnv, baselinePort, { root: resolve(args.baseline) })
  : undefined;
let bare: ReturnType<typeof Bun.serve> | undefined;
const results: Record<string, unknown>[] = [];
try {
  await Promise.all([gateway, uncached, baseline].map((s) => s?.waitReady(120_000)));
  // The gateway prepares the schema at start: seed the candles after. postgres.js learns the array
  // types with the client's first query: a bool[] parameter in that very query is sent as bool.
  await sql`select 1`;
  await upsertCandles(sql, candles);
  // Listed, as a served market is (other runs may have given binance a market list in this database).
  await upsertMarkets(sql, [
    {
      exchange: "binance",
      market: MARKET,
      symbol: ticker.symbol,
      base: MARKET.split("-")[0]!,
      quote: "USDT",
      type: "spot",
      status: "trading",
      tickSize: 0.01,
      lotSize: 0.001,
      minNotional: null,
      simulated: true,
    },
  ]);
  const base = `http://127.0.0.1:${gatewayPort}/api/v1`;
  const tickerPath = `/tickers?exchange=binance&market=${MARKET}`;
  const candlePath = `/candles?exchange=binance&market=${MARKET}&interval=1m&limit=500&from=${firstOpen}`;
  // Each request its own window: `from` 1 ms earlier per request selects the same 500 rows.
  const ownWindows = join(mkdtempSync(join(tmpdir(), "rest-bench-")), "own-windows.lua");
  writeFileSync(
    ownWindows,
    `local n = 0\nrequest = function()\n  n = n + 1\n  return wrk.format(nil, "/api/v1${candlePath.replace(`from=${firstOpen}`, "from=")}" .. (${firstOpen} - n))\nend\n`,
  );
  const tickerBody = await (await fetch(base + tickerPath)).text();
  const candleRes = await (await fetch(base + candlePath)).json();
  if (!tickerBody.includes(MARKET)) throw new Error(`the gateway did not serve the ticker: ${tickerBody}`);
  if ((candleRes as { data: unknown[] }).data.length !== 500)
    throw new Error(`the gateway served ${(candleRes as { data: unknown[] }).data.length} candles, not 500`);
  // The bare ceiling: the same body, no work per request.
  bare = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: () => new Response(tickerBody, { headers: { "content-type": "application/json" } }),
  });
  const bareUrl = `http://127.0.0.1:${bare.port}/api/v1${tickerPath}`;
  const uncachedUrl = `http://127.0.0.1:${uncachedPort}/api/v1${tickerPath}`;
  const baselineBase = `http://127.0.0.1:${baselinePort}/api/v1`;
  if (
    baseline &&
    ((await (await fetch(baselineBase + candlePath)).json()) as { data: unknown[] }).data.length !== 500
  )
    throw new Error("the baseline gateway did not serve the 500 candles");
  // Warm-up, not recorded: each server's routes once under load, so that JIT compilation and
  // first-use allocations fall outside the rounds.
  for (const url of [bareUrl, base + tickerPath, uncachedUrl, base + candlePath])
    await wrk(url, CONNECTIONS, 2);
  if (baseline) for (const path of [tickerPath, candlePath]) await wrk(baselineBase + path, CONNECTIONS, 2);
  for (let round = 0; round < ROUNDS; round++) {
    const tickerLoads: Load[] = [
      ["bare /tickers", bareUrl, CONNECTIONS, undefined],
      ["gateway /tickers", base + tickerPath, CONNECTIONS, gateway],
      ...(baseline ? [["baseline /tickers", baselineBase + tickerPath, CONNECTIONS, baseline] as Load] : []),
      ["gateway /tickers, LATEST_CACHE_MS=0", uncachedUrl, CONNECTIONS, uncached],
    ];
    // Candles: a query of 500 rows per request; latency at a few concurrent readers, and the rate at CONNECTIONS.
    const candleLoads: Load[] = [];
    for (const [who, url, server] of [
      ["gateway", base, gateway] as const,
      ["baseline", baselineBase, baseline] as const,
    ])
      if (server) {
        for (const connections of [4, CONNECTIONS])
          candleLoads.push([
            `${who} /candles (500 rows), ${connections} connections`,
            url + candlePath,
            connections,
            server,
          ]);
        candleLoads.push([
          `${who} /candles (500 rows), own windows, 4 connections`,
          url,
          4,
          server,
          ownWindows,
        ]);
      }
    for (const loads of [
      ...(args.only === "candles" ? [] : [tickerLoads]),
      ...(args.only === "tickers" ? [] : [candleLoads]),
    ]) {
      for (const [name, url, connections, server, script] of round % 2 === 0 ? loads : [...loads].reverse()) {
        const cpu0 = cpuMicros(server);
        const r = await wrk(url, connections, SECONDS, script);
        // The server's CPU (all its threads) per answered request: steadier than rates when others load the machine.
        const cpuUsPerRequest = (cpuMicros(server) - cpu0) / (r.perSecond * SECONDS);
        results.push({ round, name, ...r, cpuUsPerRequest });
        console.error(
          `round ${round + 1}/${ROUNDS} ${name}: ${Math.round(r.perSecond)}/s, p99 ${r.p99Ms} ms, ${Math.round(cpuUsPerRequest)} µs CPU/request`,
        );
      }
    }
  }
} finally {
  bare?.stop(true);
  await Promise.all([gateway.stop(), uncached.stop(), baseline?.stop()]);
  nats.stop();
  await redis.del(tickerKey);
  await sql`delete from candles where exchange = 'binance' and market = ${MARKET}`;
  await sql`delete from markets where exchange = 'binance' and market = ${MARKET}`;
  await sql.end();
  redis.disconnect();
}

/** A load: name, URL, connections, the server process (undefined: the bare server in this one), wrk script. */
type Load = [string, string, number, ServiceProcess | undefined, string?];

/** CPU time used so far by a service process (utime + stime of all its threads), or by this process. */
function cpuMicros(server: ServiceProcess | undefined): number {
  if (!server) {
    const u = process.cpuUsage();
    return u.user + u.system;
  }
  const stat = readFileSync(`/proc/${server.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields from the 3rd (state) on
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS;
}

/** wrk, one thread: requests/s and latency percentiles (async: the bare server is in this process). */
async function wrk(
  url: string,
  connections: number,
  seconds = SECONDS,
  script?: string,
): Promise<{ perSecond: number; p50Ms: number; p99Ms: number; errors: number }> {
  const proc = Bun.spawn(
    ["wrk", "-t1", `-c${connections}`, `-d${seconds}s`, "--latency", ...(script ? ["-s", script] : []), url],
    { stdout: "pipe" },
  );
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const ms = (label: string) => {
    const m = out.match(new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)`, "m"));
    if (!m) return Number.NaN;
    const v = Number(m[1]);
    return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
  };
  const perSecond = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? Number.NaN);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0);
  const socketErrors = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((s, n) => s + Number(n), 0) : 0);
  return { perSecond, p50Ms: ms("50"), p99Ms: ms("99"), errors };
}

const byName = (name: string) => results.filter((r) => r.name === name) as Array<Record<string, number>>;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const ratioOf = (name: string) =>
  Array.from({ length: ROUNDS }, (_, round) => {
    const g = results.find((r) => r.round === round && r.name === name) as Record<string, number> | undefined;
    const b = results.find((r) => r.round === round && r.name === "bare /tickers") as
      | Record<string, number>
      | undefined;
    return (g?.perSecond ?? Number.NaN) / (b?.perSecond ?? Number.NaN);
  });
const ratios = ratioOf("gateway /tickers");
const baselineRatios = baseline ? ratioOf("baseline /tickers") : [];
const uncachedRatios = ratioOf("gateway /tickers, LATEST_CACHE_MS=0");
const lines = [
  `| ${SECONDS} s each, median of ${ROUNDS} (tickers: ${CONNECTIONS} connections) | requests/s | p50 ms | p99 ms | server CPU µs/request | errors |`,
  "| --- | ---: | ---: | ---: | ---: | ---: |",
];
for (const name of [
  "bare /tickers",
  "gateway /tickers",
  ...(baseline ? ["baseline /tickers"] : []),
  "gateway /tickers, LATEST_CACHE_MS=0",
  ...(baseline ? ["gateway", "baseline"] : ["gateway"]).flatMap((who) => [
    ...[4, CONNECTIONS].map((c) => `${who} /candles (500 rows), ${c} connections`),
    `${who} /candles (500 rows), own windows, 4 connections`,
  ]),
]) {
  const rs = byName(name);
  if (rs.length === 0) continue; // --only
  lines.push(
    `| ${name} | ${Math.round(median(rs.map((r) => r.perSecond!))).toLocaleString("en")} | ${median(rs.map((r) => r.p50Ms!)).toFixed(2)} | ${median(rs.map((r) => r.p99Ms!)).toFixed(2)} | ${Math.round(median(rs.map((r) => r.cpuUsPerRequest!)))} | ${rs.reduce((s, r) => s + r.errors!, 0)} |`,
  );
}
lines.push(
  "",
  `gateway ÷ bare /tickers, per round: ${ratios.map((r) => r.toFixed(2)).join(", ")} (LATEST_CACHE_MS=0: ${uncachedRatios.map((r) => r.toFixed(2)).join(", ")})`,
  ...(baseline
    ? [`baseline ÷ bare /tickers, per round: ${baselineRatios.map((r) => r.toFixed(2)).join(", ")}`]
    : []),
);
const dir = resolve(import.meta.dir, "results");
mkdirSync(dir, { recursive: true });
const file = join(dir, `rest-${new Date().toISOString().replaceAll(":", "-").slice(0, 19)}.json`);
writeFileSync(
  file,
  JSON.stringify(
    {
      at: new Date().toISOString(),
      connections: CONNECTIONS,
      baseline: args.baseline,
      results,
      ratios,
      uncachedRatios,
      baselineRatios,
    },
    null,
    2,
  ),
);
console.log(lines.join("\n"));
console.log(`\n(${file})`);
process.exit(0);
