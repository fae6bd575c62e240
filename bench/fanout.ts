#!/usr/bin/env bun
/**
 * Gateway fan-out benchmark (docs/benchmarks.md, "Gateway fan-out").
 *
 *   bun bench/fanout.ts                  # ~2 min: 1,000 clients, 1k trades/s + 100 tickers/s
 *   bun bench/fanout.ts --clients 200 --seconds 4 --quick
 *
 * Needs Redis and TimescaleDB up (the gateway starts with them) and nats-server installed; the
 * bench starts a NATS of its own. This process publishes trades (`trade:binance:*`, `--markets`
 * markets) and tickers (`ticker:*:*`, five exchanges) into JetStream in the ingestor's event-batch
 * format, stamping `recvTs` at publish time. One client process holds the sockets: half on
 * `trade:binance:*`, half on `ticker:*:*`.
 *
 * 1. Delivered messages/s and delivery latency (publish → client), alternately from a bare Bun
 *    server (core NATS subscription + `server.publish`, bench/lib/bare-fanout-server.ts) and the
 *    gateway, twice each, the same load: ratio gateway ÷ bare per pair.
 * 2. Slow clients: a second client process subscribes `--slow` sockets to `trade:binance:*` and is
 *    stopped (SIGSTOP); the gateway must cut them off (slow_consumer) while the fast clients keep
 *    their rate and latency.
 * 3. Resume: with the load on, a client subscribes to one market's trades `since` the stream
 *    sequence of the first trade published for the gateway's windows; it must catch up at ≥ 10×
 *    the channel's live rate and continue live with no gap and no duplicate.
 * Writes bench/results/fanout-<date>.json and prints a Markdown summary.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { headers as natsHeaders } from "@nats-io/transport-node";
import { EVENTS_HEADER, EVENTS_VERSION, encodeEvents } from "@tickerplant/core";
import { connectNats, createLogger } from "../packages/runtime/src/index.ts";
import { freePort, startNatsServer } from "../packages/testkit/src/nats-server.ts";
import { startService } from "../packages/testkit/src/processes.ts";
import type { ClientSample, FromClients, ResumeStatus, ToClients } from "./lib/fanout-clients.ts";
import { metricValue, scrape } from "./lib/stack.ts";
import { round } from "./lib/stats.ts";

const { values: args } = parseArgs({
  options: {
    clients: { type: "string", default: "1000" },
    rate: { type: "string", default: "1000" },
    "ticker-rate": { type: "string", default: "100" },
    markets: { type: "string", default: "10" },
    seconds: { type: "string", default: "8" },
    slow: { type: "string", default: "20" },
    rounds: { type: "string", default: "2" },
    quick: { type: "boolean", default: false },
    /** Writes the gateway's CPU profile (Markdown) into this directory when it exits. */
    profile: { type: "string" },
  },
});
const CLIENTS = Number(args.clients);
const TRADE_RATE = Number(args.rate);
const TICKER_RATE = Number(args["ticker-rate"]);
const MARKETS = Number(args.markets);
const WINDOW_S = Number(args.seconds);
const SLOW = Number(args.slow);
const ROUNDS = args.quick ? 1 : Number(args.rounds);
/** The gateway's WS_MAX_BUFFERED_BYTES for the run (default 4 MiB): slow clients are cut sooner. */
const MAX_BUFFERED = 1024 * 1024;
const HARD_LIMIT_MS = 6 * 60_000;
const TICK_MS = 10;

const startedAt = Date.now();
const RUN = startedAt.toString(36).toUpperCase();
const TRADE_MARKETS = Array.from({ length: MARKETS }, (_, i) => `F${i}${RUN}-USDT`);
const TICKER_EXCHANGES = ["binance", "okx", "kraken", "bybit", "coinbase"];
const TICKER_MARKETS = Array.from({ length: 20 }, (_, i) => `T${i}${RUN}-USDT`);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/14";
const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";

function progress(msg: string): void {
  console.error(`[${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${msg}`);
}

// --- infrastructure --------------------------------------------------------------------------
const natsServer = await startNatsServer();
const gatewayPort = await freePort();
const barePort = await freePort();
const gateway = startService(
  "gateway",
  {
    NATS_URL: natsServer.url,
    REDIS_URL,
    DATABASE_URL,
    LOG_LEVEL: "warn",
    HTTP_HOST: "127.0.0.1",
    WS_MAX_CLIENTS: String(CLIENTS + SLOW + 100),
    WS_MAX_CLIENTS_PER_IP: "0",
    RATE_LIMIT_PER_IP: "0", // the upgrade requests of 1,000 clients from one address
    WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED),
    ...(args.profile ? { BUN_OPTIONS: `--cpu-prof-md --cpu-prof-dir=${resolve(args.profile)}` } : {}),
  },
  gatewayPort,
);
const bare = Bun.spawn(
  ["bun", resolve(import.meta.dir, "lib/bare-fanout-server.ts"), natsServer.url, String(barePort)],
  {
    stdout: "inherit",
    stderr: "inherit",
    ipc() {},
  },
);
const clientFile = resolve(import.meta.dir, "lib/fanout-clients.ts");

class Clients {
  readonly proc;
  private waiters = new Map<number, (m: FromClients) => void>();
  private onConnected: ((m: Extract<FromClients, { type: "connected" }>) => void) | undefined;
  private nextId = 1;
  constructor() {
    this.proc = Bun.spawn(["bun", clientFile], {
      stdout: "inherit",
      stderr: "inherit",
      ipc: (m: FromClients) => {
        if (m.type === "connected") this.onConnected?.(m);
        else this.waiters.get(m.reqId)?.(m);
      },
    });
  }
  send(m: ToClients): void {
    this.proc.send(m);
  }
  connect(url: string, groups: Array<{ channel: string; count: number }>) {
    return new Promise<Extract<FromClients, { type: "connected" }>>((res) => {
      this.onConnected = res;
      this.send({ cmd: "connect", url, groups });
    });
  }
  private ask<T>(m: ToClients & { reqId: number }): Promise<T> {
    return new Promise((res) => {
      this.waiters.set(m.reqId, res as (m: FromClients) => void);
      this.send(m);
    });
  }
  sample(): Promise<ClientSample> {
    return this.ask({ cmd: "sample", reqId: this.nextId++ });
  }
  resumeStatus(): Promise<ResumeStatus> {
    return this.ask({ cmd: "resume-status", reqId: this.nextId++ });
  }
}

const hardStop = setTimeout(() => {
  console.error(`benchmark exceeded ${HARD_LIMIT_MS / 1000} s; aborting`);
  void cleanup().then(() => process.exit(2));
}, HARD_LIMIT_MS);

const clients = new Clients();
let slowClients: Clients | undefined;
const log = createLogger({ service: "bench", level: "error" });
await gateway.waitReady();
const nats = await connectNats(natsServer.url, "bench-fanout", log);

// --- the publisher ---------------------------------------------------------------------------
const tradeIds = new Map(TRADE_MARKETS.map((m) => [m, 0]));
/** Stream sequence and first trade id of every message of the first market (for the resume step). */
const firstMarketSeqs: Array<{ seq: number; firstId: number; at: number }> = [];
let published = 0;
let tickerCursor = 0;
let dueTrades = 0;
let dueTickers = 0;
let lastTick = performance.now();
const hdrs = natsHeaders();
hdrs.set(EVENTS_HEADER, EVENTS_VERSION);

function tradeJson(market: string, id: number, stamp: number): string {
  const price = (50_000 + (id % 1000) / 10).toFixed(1);
  return `{"type":"trade","exchange":"binance","market":"${market}","id":"${id}","price":${price},"amount":0.0125,"side":"${id % 2 ? "buy" : "sell"}","ts":${Math.floor(stamp)},"recvTs":${stamp.toFixed(3)},"simulated":true}`;
}
function tickerJson(exchange: string, market: string, stamp: number): string {
  return `{"type":"ticker","exchange":"${exchange}","market":"${market}","last":50000.1,"bid":50000,"ask":50000.2,"high":51000,"low":49000,"volume":1234.5,"quoteVolume":61725000,"change":1.2,"ts":${stamp.toFixed(3)},"recvTs":${stamp.toFixed(3)},"simulated":true}`;
}

/** Off while clients connect: a client process busy receiving connects its next sockets slowly. */
let publishing = true;

function publishTick(): void {
  const now = performance.now();
  const dt = now - lastTick;
  lastTick = now;
  if (!publishing) return;
  dueTrades += (TRADE_RATE * dt) / 1000;
  dueTickers += (TICKER_RATE * dt) / 1000;
  const stamp = performance.timeOrigin + performance.now();
  const trades = new Map<string, string[]>();
  for (let i = 0; i < Math.floor(dueTrades); i++) {
    const market = TRADE_MARKETS[i % MARKETS]!;
    const id = tradeIds.get(market)! + 1;
    tradeIds.set(market, id);
    const list = trades.get(market) ?? [];
    if (list.length === 0) trades.set(market, list);
    list.push(tradeJson(market, id, stamp));
  }
  dueTrades -= Math.floor(dueTrades);
  for (const [market, texts] of trades) {
    const firstId = tradeIds.get(market)! - texts.length + 1;
    const p = nats.js.publish(`md.trade.binance.${market}`, encodeEvents(texts), { headers: hdrs });
    published += texts.length;
    if (market === TRADE_MARKETS[0])
      void p.then((ack) => firstMarketSeqs.push({ seq: ack.seq, firstId, at: stamp }));
    p.catch(() => {});
  }
  for (let i = 0; i < Math.floor(dueTickers); i++) {
    const n = tickerCursor++;
    const exchange = TICKER_EXCHANGES[n % TICKER_EXCHANGES.length]!;
    const market = TICKER_MARKETS[Math.floor(n / TICKER_EXCHANGES.length) % TICKER_MARKETS.length]!;
    nats.js
      .publish(`md.ticker.${exchange}.${market}`, encodeEvents([tickerJson(exchange, market, stamp)]), {
        headers: hdrs,
      })
      .catch(() => {});
    published++;
  }
  dueTickers -= Math.floor(dueTickers);
}
const publisher = setInterval(publishTick, TICK_MS);

// --- measurement -----------------------------------------------------------------------------
function rssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch {
    return 0;
  }
}
function loadAverage(): number {
  return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
}
function gatewayPid(): number | undefined {
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (
        cmd.includes("apps/gateway/src/main.ts") &&
        readFileSync(`/proc/${pid}/environ`, "utf8").includes(`HTTP_PORT=${gatewayPort}`)
      )
        return pid;
    } catch {
      // gone
    }
  }
  return undefined;
}
const GATEWAY_PID = gatewayPid();

interface Window {
  server: "bare" | "gateway";
  clients: number;
  delivered: number;
  perSecond: number;
  /** What the load asks for: clients × their channel's rate. */
  offeredPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  cpuPct: { server: number; clients: number };
  serverRssMb: number | null;
  load: number;
  closed: Record<string, number>;
}

const groups = [
  { channel: "trade:binance:*", count: Math.ceil(CLIENTS / 2) },
  { channel: "ticker:*:*", count: Math.floor(CLIENTS / 2) },
];
const offered = groups[0]!.count * TRADE_RATE + groups[1]!.count * TICKER_RATE;

async function measureWindow(server: "bare" | "gateway", seconds: number): Promise<Window> {
  const pid = server === "bare" ? bare.pid : GATEWAY_PID;
  clients.send({ cmd: "reset" });
  const cpu0 = [cpuSeconds(pid), cpuSeconds(clients.proc.pid), performance.now()] as const;
  await Bun.sleep(seconds * 1000);
  const s = await clients.sample();
  const wall = (performance.now() - cpu0[2]) / 1000;
  return {
    server,
    clients: s.open,
    delivered: s.received,
    perSecond: Math.round((s.received * 1000) / s.elapsedMs),
    offeredPerSecond: offered,
    latencyMs: { p50: round(s.latency.p50, 1), p99: round(s.latency.p99, 1), max: round(s.latency.max, 1) },
    cpuPct: {
      server: Math.round(((cpuSeconds(pid) - cpu0[0]) / wall) * 100),
      clients: Math.round(((cpuSeconds(clients.proc.pid) - cpu0[1]) / wall) * 100),
    },
    serverRssMb: rssMb(pid),
    load: loadAverage(),
    closed: s.closed,
  };
}

async function connectAll(server: "bare" | "gateway"): Promise<void> {
  const url = `ws://127.0.0.1:${server === "bare" ? barePort : gatewayPort}/ws`;
  const t0 = performance.now();
  publishing = false;
  const r = await clients.connect(url, groups).finally(() => {
    publishing = true;
  });
  progress(
    `${server}: ${r.open} clients subscribed (${r.failed} failed) in ${Math.round(performance.now() - t0)} ms`,
  );
}

async function disconnectAll(): Promise<void> {
  clients.send({ cmd: "disconnect" });
  await Bun.sleep(1500);
}

const windows: Window[] = [];
const result: Record<string, unknown> = {
  date: new Date(startedAt).toISOString(),
  command: `bun ${process.argv
    .slice(1)
    .join(" ")
    .replace(`${import.meta.dir}/`, "bench/")}`,
  config: {
    clients: CLIENTS,
    groups,
    tradeRate: TRADE_RATE,
    tickerRate: TICKER_RATE,
    tradeMarkets: MARKETS,
    windowSeconds: WINDOW_S,
    slowClients: SLOW,
    gatewayMaxBufferedBytes: MAX_BUFFERED,
  },
  windows,
};

async function cleanup(): Promise<void> {
  clearInterval(publisher);
  try {
    clients.proc.kill();
    if (slowClients) {
      slowClients.proc.kill("SIGCONT");
      slowClients.proc.kill("SIGKILL");
    }
    bare.kill();
    await gateway.stop();
    await nats.close();
  } finally {
    natsServer.stop();
  }
}

try {
  await Bun.sleep(1000);
  let firstGatewaySeq: { seq: number; firstId: number; at: number } | undefined;
  for (let round_ = 0; round_ < ROUNDS; round_++) {
    for (const server of ["bare", "gateway"] as const) {
      if (server === "gateway" && !firstGatewaySeq) firstGatewaySeq = firstMarketSeqs.at(-1);
      await connectAll(server);
      await Bun.sleep(2000); // warm-up: consumers created, JIT warm
      const w = await measureWindow(server, WINDOW_S);
      windows.push(w);
      progress(
        `${server}: ${w.perSecond.toLocaleString()} msgs/s delivered (offered ${offered.toLocaleString()}), p99 ${w.latencyMs.p99} ms, cpu server ${w.cpuPct.server}% clients ${w.cpuPct.clients}%, load ${w.load}`,
      );
      if (server === "bare" || round_ < ROUNDS - 1) await disconnectAll();
    }
  }
  const pairs = [];
  for (let i = 0; i + 1 < windows.length; i += 2)
    pairs.push(round(windows[i + 1]!.perSecond / windows[i]!.perSecond, 3));
  result.ratios = pairs;

  // --- slow clients, on the gateway (fast clients still connected) --------------------------
  const metrics = `http://127.0.0.1:${gatewayPort}/metrics`;
  const cutBefore = metricValue(await scrape(metrics), "tickerplant_gateway_ws_disconnects_total", {
    reason: "slow_consumer",
  });
  slowClients = new Clients();
  await slowClients.connect(`ws://127.0.0.1:${gatewayPort}/ws`, [
    { channel: "trade:binance:*", count: SLOW },
  ]);
  slowClients.proc.kill("SIGSTOP");
  const slowStart = performance.now();
  clients.send({ cmd: "reset" });
  const gwCpu0 = cpuSeconds(GATEWAY_PID);
  let cut = 0;
  let cutMs: number | null = null;
  while (performance.now() - slowStart < 30_000) {
    await Bun.sleep(1000); // a scrape costs the gateway (prom-client's heap statistics)
    cut =
      metricValue(await scrape(metrics), "tickerplant_gateway_ws_disconnects_total", {
        reason: "slow_consumer",
      }) - cutBefore;
    if (cut >= SLOW) {
      cutMs = Math.round(performance.now() - slowStart);
      break;
    }
  }
  const during = await clients.sample();
  const slowWall = (performance.now() - slowStart) / 1000;
  result.slow = {
    slowClients: SLOW,
    cutOff: cut,
    allCutAfterMs: cutMs,
    fastPerSecond: Math.round((during.received * 1000) / during.elapsedMs),
    fastLatencyMs: {
      p50: round(during.latency.p50, 1),
      p99: round(during.latency.p99, 1),
      max: round(during.latency.max, 1),
    },
    fastClosed: during.closed,
    gatewayCpuPct: Math.round(((cpuSeconds(GATEWAY_PID) - gwCpu0) / slowWall) * 100),
    gatewayRssMb: rssMb(GATEWAY_PID),
  };
  progress(`slow clients: ${JSON.stringify(result.slow)}`);
  slowClients.proc.kill("SIGKILL");
  slowClients = undefined;

  // --- resume: one market's trades since the start of the gateway windows ------------------
  const from = firstGatewaySeq ?? firstMarketSeqs[0]!;
  const liveId = tradeIds.get(TRADE_MARKETS[0]!)!;
  const backlog = liveId - from.firstId + 1;
  clients.send({
    cmd: "resume",
    url: `ws://127.0.0.1:${gatewayPort}/ws`,
    channel: `trade:binance:${TRADE_MARKETS[0]}`,
    since: from.seq,
    firstId: from.firstId,
    liveId,
  });
  const resumeStart = performance.now();
  let status = await clients.resumeStatus();
  while (status.caughtUpMs === null && performance.now() - resumeStart < 60_000) {
    await Bun.sleep(200);
    status = await clients.resumeStatus();
  }
  await Bun.sleep(3000); // live after the handover
  status = await clients.resumeStatus();
  const liveRate = TRADE_RATE / MARKETS;
  const replayRate = status.caughtUpMs ? Math.round((backlog * 1000) / status.caughtUpMs) : null;
  result.resume = {
    channel: `trade:binance:${TRADE_MARKETS[0]}`,
    sinceSeq: from.seq,
    streamSeqsBack: (firstMarketSeqs.at(-1)?.seq ?? 0) - from.seq,
    backlogTrades: backlog,
    liveRate,
    caughtUpMs: status.caughtUpMs,
    replayRate,
    replayOverLive: replayRate ? round(replayRate / liveRate, 1) : null,
    received: status.received,
    expected: tradeIds.get(TRADE_MARKETS[0]!)! - from.firstId + 1,
    gaps: status.gaps,
    duplicates: status.duplicates,
    liveP99Ms: status.liveP99 === null ? null : round(status.liveP99, 1),
    errors: status.errors,
  };
  progress(`resume: ${JSON.stringify(result.resume)}`);
  result.published = published;
} finally {
  clearTimeout(hardStop);
  await cleanup();
}

const dir = resolve(import.meta.dir, "results");
mkdirSync(dir, { recursive: true });
const file = resolve(
  dir,
  `fanout-${new Date(startedAt).toISOString().replaceAll(":", "-").slice(0, 19)}.json`,
);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);

console.log(
  "\n| server | clients | delivered msgs/s | offered | p50 / p99 / max ms | CPU server / clients % | server RSS MB | load |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const w of windows)
  console.log(
    `| ${w.server} | ${w.clients} | ${w.perSecond.toLocaleString()} | ${w.offeredPerSecond.toLocaleString()} | ${w.latencyMs.p50} / ${w.latencyMs.p99} / ${w.latencyMs.max} | ${w.cpuPct.server} / ${w.cpuPct.clients} | ${w.serverRssMb} | ${w.load} |`,
  );
console.log(`\nratios gateway ÷ bare per round: ${(result.ratios as number[]).join(", ")}`);
console.log(`results: ${file}`);
process.exit(0);
