#!/usr/bin/env bun
/**
 * Memory of the two processes that grow with the world outside (docs/benchmarks.md, "Memory";
 * issue 11 targets: ingestor with 1,000 markets × 3 channels < 150 MB RSS, gateway with 10,000
 * connected clients < 300 MB RSS).
 *
 *   bun bench/memory.ts                        # ~2 min
 *   bun bench/memory.ts --markets 200 --clients 2000 --seconds 10
 *
 * Needs Redis and TimescaleDB up (the services start with them); starts a NATS of its own.
 * 1. Ingestor: a Binance simulator in this process with `--markets` markets trading `--rate`
 *    trades/s in total; the ingestor subscribes trade, bbo and ticker of every market
 *    (SOURCE=simulated). RSS (VmRSS from /proc) sampled every second for `--seconds` once every
 *    market has traded through it; reported: after start, peak and last.
 * 2. Gateway: one client process (bench/lib/fanout-clients.ts) opens `--clients` WebSockets, half
 *    subscribed to one market's ticker, half to its trades (what the sockets cost, not a fan-out
 *    flood: bench/fanout.ts measures delivery); RSS before, once all are connected, and peak over
 *    `--seconds` while the ingestor publishes every market into the same NATS.
 * Writes bench/results/memory-<date>.json and prints a Markdown table.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { freePort, startNatsServer } from "../packages/testkit/src/nats-server.ts";
import { type ServiceProcess, startService } from "../packages/testkit/src/processes.ts";
import { startSimulator } from "../packages/testkit/src/simulator/simulator.ts";
import type { FromClients, ToClients } from "./lib/fanout-clients.ts";
import { productionRuntimeEnv } from "./lib/production-runtime.ts";
import { metricValue, scrape } from "./lib/stack.ts";

const { values: args } = parseArgs({
  options: {
    markets: { type: "string", default: "1000" },
    rate: { type: "string", default: "1000" },
    clients: { type: "string", default: "10000" },
    seconds: { type: "string", default: "20" },
    /** Extra bun flags for both services, after their production ones (infra/up.sh). */
    "bun-options": { type: "string", default: "" },
  },
});
const MARKETS = Number(args.markets);
const RATE = Number(args.rate);
const CLIENTS = Number(args.clients);
const SECONDS = Number(args.seconds);
const RUN = Date.now().toString(36).toUpperCase();
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/14";
const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";
const startedAt = Date.now();
const progress = (msg: string) => console.error(`[${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${msg}`);

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
}
/** The bun process this bench started (not a search by command line: other checkouts run services too). */
function servicePid(service: ServiceProcess): number {
  const pid = service.pid;
  if (pid === undefined) throw new Error(`${service.name} is not running`);
  return pid;
}
/** utime + stime of a process, seconds. */
function cpuSeconds(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) / 100;
}
async function sampleRss(pid: number, seconds: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < seconds; i++) {
    out.push(rssMb(pid));
    await Bun.sleep(1000);
  }
  return out;
}

const markets = Array.from({ length: MARKETS }, (_, i) => `M${i}${RUN}-USDT`);
const nats = await startNatsServer();
const sim = await startSimulator({ markets, tradesPerSecond: RATE, seed: 3 });
const common = {
  NATS_URL: nats.url,
  REDIS_URL,
  DATABASE_URL,
  LOG_LEVEL: "warn",
  HTTP_HOST: "127.0.0.1",
};
const ingestorPort = await freePort();
const ingestor = startService(
  "ingestor",
  {
    ...common,
    ...productionRuntimeEnv("ingestor", args["bun-options"]),
    EXCHANGES: "binance",
    MARKETS: markets.join(","),
    CHANNELS: "trade,bbo,ticker",
    SOURCE: "simulated",
    EXCHANGE_URL_OVERRIDES: `binance.ws=${sim.wsUrl},binance.rest=${sim.restUrl}`,
  },
  ingestorPort,
);
const gatewayPort = await freePort();
const gateway = startService(
  "gateway",
  {
    ...common,
    ...productionRuntimeEnv("gateway", args["bun-options"]),
    WS_MAX_CLIENTS: String(CLIENTS + 100),
    WS_MAX_CLIENTS_PER_IP: "0",
    RATE_LIMIT_PER_IP: "0", // every upgrade comes from one address
  },
  gatewayPort,
);
const clients = Bun.spawn(["bun", resolve(import.meta.dir, "lib/fanout-clients.ts")], {
  stdout: "inherit",
  stderr: "inherit",
  ipc: (m: FromClients) => onClients(m),
});
let onClients: (m: FromClients) => void = () => {};

const result: Record<string, unknown> = {
  at: new Date().toISOString(),
  markets: MARKETS,
  rate: RATE,
  clients: CLIENTS,
};
try {
  await Promise.all([ingestor.waitReady(120_000), gateway.waitReady(120_000)]);
  const ingestorPid = servicePid(ingestor);
  const gatewayPid = servicePid(gateway);
  const ingestorStart = rssMb(ingestorPid);
  const gatewayIdle = rssMb(gatewayPid);

  // 1. The ingestor, once every market's trades flow through it.
  progress(`ingestor: waiting for ${MARKETS} markets × 3 channels to flow`);
  const metrics = `http://127.0.0.1:${ingestorPort}/metrics`;
  const deadline = Date.now() + 120_000;
  let received = 0;
  while (Date.now() < deadline) {
    received = metricValue(await scrape(metrics), "tickerplant_ingest_messages_total", { type: "trade" });
    if (received >= MARKETS * 2) break;
    await Bun.sleep(1000);
  }
  progress(`ingestor: ${received} trades in; sampling RSS for ${SECONDS} s`);
  const cpu0 = cpuSeconds(ingestorPid);
  const ingestorSamples = await sampleRss(ingestorPid, SECONDS);
  const cpu1 = cpuSeconds(ingestorPid);
  const tradesAfter = metricValue(await scrape(metrics), "tickerplant_ingest_messages_total", {
    type: "trade",
  });
  result.ingestor = {
    startMb: ingestorStart,
    peakMb: Math.max(...ingestorSamples),
    lastMb: ingestorSamples.at(-1),
    samples: ingestorSamples,
    tradesIn: received,
    /** CPU % of one core while sampling, and µs per trade received meanwhile. */
    cpuPct: Math.round(((cpu1 - cpu0) / SECONDS) * 100),
    cpuUsPerTrade: Math.round(((cpu1 - cpu0) * 1e6) / Math.max(1, tradesAfter - received)),
  };

  // 2. The gateway with CLIENTS sockets (the ingestor keeps publishing tickers and trades).
  progress(`gateway: connecting ${CLIENTS} clients`);
  const connected = await new Promise<Extract<FromClients, { type: "connected" }>>((res) => {
    onClients = (m) => {
      if (m.type === "connected") res(m);
    };
    clients.send({
      cmd: "connect",
      url: `ws://127.0.0.1:${gatewayPort}/ws`,
      groups: [
        { channel: `ticker:binance:${markets[0]}`, count: Math.ceil(CLIENTS / 2) },
        { channel: `trade:binance:${markets[0]}`, count: Math.floor(CLIENTS / 2) },
      ],
    } satisfies ToClients);
  });
  progress(`gateway: ${connected.open} open, ${connected.failed} failed; sampling RSS for ${SECONDS} s`);
  const gatewayConnected = rssMb(gatewayPid);
  const gatewaySamples = await sampleRss(gatewayPid, SECONDS);
  result.gateway = {
    idleMb: gatewayIdle,
    connectedMb: gatewayConnected,
    peakMb: Math.max(...gatewaySamples),
    lastMb: gatewaySamples.at(-1),
    samples: gatewaySamples,
    open: connected.open,
    failed: connected.failed,
  };
} finally {
  clients.send({ cmd: "disconnect" } satisfies ToClients);
  clients.kill();
  await Promise.all([ingestor.stop(), gateway.stop()]);
  await sim.stop();
  nats.stop();
}

const i = result.ingestor as Record<string, number>;
const g = result.gateway as Record<string, number>;
const lines = [
  "| process | load | RSS MB | target |",
  "| --- | --- | ---: | ---: |",
  `| ingestor | started, nothing subscribed yet | ${i.startMb} | |`,
  `| ingestor | ${MARKETS} markets × trade, bbo, ticker; ${RATE} trades/s; peak over ${SECONDS} s (CPU ${i.cpuPct} %, ${i.cpuUsPerTrade} µs/trade) | ${i.peakMb} | < 150 |`,
  `| gateway | idle | ${g.idleMb} | |`,
  `| gateway | ${g.open} clients connected (${g.failed} failed), half one market's ticker, half its trades | ${g.connectedMb} | |`,
  `| gateway | the same, peak over ${SECONDS} s with the ingestor publishing | ${g.peakMb} | < 300 |`,
];
const dir = resolve(import.meta.dir, "results");
mkdirSync(dir, { recursive: true });
const file = join(dir, `memory-${new Date().toISOString().replaceAll(":", "-").slice(0, 19)}.json`);
writeFileSync(file, JSON.stringify(result, null, 2));
console.log(lines.join("\n"));
console.log(`\n(${file})`);
process.exit(0);
