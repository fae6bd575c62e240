/**
 * A NATS cluster for real: three local nats-servers as one JetStream cluster, the ingestor and the
 * storage-writer as processes with STREAM_REPLICAS=3, and the server leading MD_TRADES killed
 * (SIGKILL) mid-run. Every trade the simulator made is in TimescaleDB exactly once, and trades made
 * after the kill arrive too: ingest continues on the two remaining servers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { connectNats, createLogger, provisionStreams, SubscriptionsStore } from "@tickerplant/runtime";
import {
  freePort,
  type NatsCluster,
  recentLogs,
  type ServiceProcess,
  type StartedSimulator,
  startNatsCluster,
  startService,
  startSimulator,
  waitFor,
} from "@tickerplant/testkit";
import postgres from "postgres";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";
const RUN = Date.now().toString(36).toUpperCase();
const MARKET = `NCL${RUN}-USDT`;

let cluster: NatsCluster;
let sim: StartedSimulator;
const services: ServiceProcess[] = [];
const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => {} });

const POLL = { timeoutMs: 60_000, stepMs: 200, context: () => recentLogs(services, 20) };

async function stored(): Promise<{ total: number; distinct: number; ids: number[] }> {
  const rows = await sql<{ trade_id: string }[]>`
    select trade_id from trades where exchange = 'binance' and market = ${MARKET}`;
  const ids = rows.map((r) => Number(r.trade_id)).sort((a, b) => a - b);
  return { total: ids.length, distinct: new Set(ids).size, ids };
}

async function tradesLeader(): Promise<string> {
  const nc = await connect({ servers: cluster.url.split(",") });
  try {
    const info = await (await jetstreamManager(nc)).streams.info("MD_TRADES");
    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster?.replicas?.length).toBe(2);
    return info.cluster!.leader!;
  } finally {
    await nc.close();
  }
}

beforeAll(async () => {
  cluster = await startNatsCluster({ basePort: 24222 });
  // A new cluster answers its first replicated-stream requests slowly: provision R3 streams and the
  // KV bucket once, retrying, as an operator would before starting services.
  await waitFor(
    "R3 streams provisioned",
    async () => {
      const log = createLogger({ service: "nats-cluster-test", level: "error" });
      const nats = await connectNats(cluster.url, "nats-cluster-test", log);
      try {
        await provisionStreams(nats.jsm, { replicas: 3, tradesRetentionDays: 1 }, log);
        await SubscriptionsStore.open(nats, 3, log);
        return true;
      } finally {
        await nats.close();
      }
    },
    POLL,
  );
  sim = await startSimulator({ markets: [MARKET], tradesPerSecond: 200, seed: 21, autoStart: false });
  const env = {
    NATS_URL: cluster.url,
    STREAM_REPLICAS: "3",
    REDIS_URL,
    DATABASE_URL,
    LOG_LEVEL: "info",
    EXCHANGES: "binance",
    MARKETS: MARKET,
    CHANNELS: "trade",
    SOURCE: "simulated",
    EXCHANGE_URL_OVERRIDES: `binance.ws=${sim.wsUrl},binance.rest=${sim.restUrl}`,
    CONSUMER_PREFIX: `ncl${RUN}`,
    FLUSH_INTERVAL_MS: "50",
  };
  const writer = startService("storage-writer", env, await freePort());
  services.push(writer);
  await writer.waitReady(90_000);
  // Ready means connected; started means every durable consumer exists (R3 consumers take a while).
  await waitFor("storage-writer started", async () => writer.logs(200).includes("storage writer started"), {
    ...POLL,
    timeoutMs: 120_000,
  });
  const ingestor = startService("ingestor", env, await freePort());
  services.push(ingestor);
  await ingestor.waitReady(90_000);
  await waitFor("ingestor started", async () => ingestor.logs(200).includes("ingestor started"), {
    ...POLL,
    timeoutMs: 120_000,
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await sim?.stop();
  await cluster?.stop();
  await sql.end();
});

describe("JetStream cluster (R3) losing a server mid-run", () => {
  test("nothing is lost and ingest continues after the MD_TRADES leader is killed", async () => {
    sim.sim.resume();
    await waitFor("trades stored before the kill", async () => (await stored()).total > 200, POLL);
    const leader = await tradesLeader();
    await cluster.kill(leader);
    const killedAt = sim.sim.truth.trades(MARKET).length;
    // Trading goes on while the cluster elects a new leader and clients reconnect.
    await waitFor(
      "trades made after the kill",
      async () => sim.sim.truth.trades(MARKET).length > killedAt + 600,
      POLL,
    );
    sim.sim.pause();
    const truth = sim.sim.truth.trades(MARKET).map((t) => t.id);
    const got = await waitFor(
      "every trade stored",
      async () => {
        const s = await stored();
        return s.distinct >= truth.length ? s : false;
      },
      { ...POLL, timeoutMs: 90_000 },
    );
    expect(got.ids).toEqual(truth);
    expect(got.total).toBe(got.distinct);
    expect(Math.max(...got.ids)).toBeGreaterThan(truth[killedAt]!);
    expect(cluster.nodes.filter((n) => n.running).length).toBe(2);
  }, 240_000);
});
