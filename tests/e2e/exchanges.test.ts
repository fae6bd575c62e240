/**
 * End to end for every exchange the simulator speaks: simulator profile → ingestor → JetStream →
 * storage-writer → TimescaleDB and a WebSocket client, with ground-truth counts equal. Adding a
 * simulator profile adds its exchange here.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { getExchange } from "@tickerplant/core";
import {
  PROFILES,
  recentLogs,
  type ServiceProcess,
  type StartedSimulator,
  startService,
  startSimulator,
  waitFor,
} from "@tickerplant/testkit";
import postgres from "postgres";
import { isolatedConsumers, removeConsumers } from "./isolation.ts";

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";
const RUN = Date.now().toString(36).toUpperCase();
const GATEWAY_PORT = 19280;
const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => {} });
const shared: ServiceProcess[] = [];

const base = {
  NATS_URL,
  REDIS_URL,
  DATABASE_URL,
  LOG_LEVEL: "warn",
  ...isolatedConsumers(RUN),
  BATCH_SIZE: "500",
  FLUSH_INTERVAL_MS: "50",
};

beforeAll(async () => {
  const writer = startService("storage-writer", base, 19202);
  shared.push(writer);
  await writer.waitReady();
  const gateway = startService("gateway", base, GATEWAY_PORT);
  shared.push(gateway);
  await gateway.waitReady();
}, 60_000);

afterAll(async () => {
  await Promise.all(shared.map((s) => s.stop()));
  await removeConsumers(NATS_URL, RUN).catch(() => {});
  await sql.end();
});

let port = 19301;
for (const id of Object.keys(PROFILES)) {
  const exchange = getExchange(id);
  describe(`${id} end to end`, () => {
    test("every simulated trade reaches TimescaleDB once and the WebSocket client in order", async () => {
      if (!exchange) throw new Error(`simulator profile ${id} has no exchange adapter`);
      const markets = exchange.adapters.map((a) =>
        a.marketType === "spot" ? `S${RUN}-USDT` : `P${RUN}-USDT-PERP`,
      );
      const sim: StartedSimulator = await startSimulator({
        exchange: id,
        markets,
        tradesPerSecond: 100,
        autoStart: false,
      });
      const ingestorPort = port++;
      const ingestor = startService(
        "ingestor",
        {
          ...base,
          EXCHANGES: id,
          MARKETS: markets.join(","),
          CHANNELS: "trade",
          SOURCE: "simulated",
          EXCHANGE_URL_OVERRIDES: `${id}.ws=${sim.wsUrl},${id}.rest=${sim.restUrl}`,
        },
        ingestorPort,
      );
      let ws: WebSocket | undefined;
      const received: Array<{ channel: string; data: { id: string } }> = [];
      const logs = () =>
        [
          `--- ingestor\n${ingestor.logs(20)}`,
          recentLogs(shared, 10),
          `--- simulator\n${JSON.stringify(sim.sim.stats())}`,
        ].join("\n");
      try {
        await ingestor.waitReady();
        // Trades made before the exchange confirmed the subscriptions would never be sent.
        await waitFor(
          "the ingestor's subscriptions",
          async () => {
            const live = await fetch(`http://127.0.0.1:${ingestorPort}/health/live`).then((r) => r.json());
            return (live as { receiving?: boolean }).receiving === true;
          },
          { timeoutMs: 20_000, context: logs },
        );
        ws = new WebSocket(`ws://127.0.0.1:${GATEWAY_PORT}/ws`);
        ws.onmessage = (ev) => {
          const m = JSON.parse(String(ev.data));
          if (m.channel) received.push(m);
        };
        await new Promise((resolve, reject) => {
          ws!.onopen = resolve;
          ws!.onerror = reject;
        });
        ws.send(JSON.stringify({ op: "subscribe", channels: [`trade:${id}:*`], id: 1 }));
        // Probe until a trade per market made the whole trip: the client's live window starts there.
        await waitFor(
          "the first trades",
          async () => {
            for (const m of markets) {
              if (!received.some((r) => r.channel === `trade:${id}:${m}`)) sim.sim.generate(m, 1);
            }
            await Bun.sleep(200);
            return markets.every((m) => received.some((r) => r.channel === `trade:${id}:${m}`));
          },
          { timeoutMs: 20_000, context: logs },
        );
        sim.sim.resume();
        await Bun.sleep(1500);
        sim.sim.pause();
        for (const market of markets) {
          const truth = sim.sim.truth.trades(market).map((t) => String(t.id));
          expect(truth.length).toBeGreaterThan(20);
          const stored = async () =>
            (
              await sql<{ trade_id: string }[]>`
                select trade_id from trades where exchange = ${id} and market = ${market} order by time, trade_id`
            ).map((r) => r.trade_id);
          await waitFor(`${market} stored`, async () => (await stored()).length >= truth.length, {
            timeoutMs: 20_000,
            context: logs,
          });
          expect([...(await stored())].sort()).toEqual([...truth].sort());
          await waitFor(
            `${market} at the client`,
            () =>
              received.filter((r) => r.channel === `trade:${id}:${market}`).at(-1)?.data.id === truth.at(-1),
            { timeoutMs: 20_000, context: logs },
          );
          const got = received.filter((r) => r.channel === `trade:${id}:${market}`).map((r) => r.data.id);
          expect(got).toEqual(truth.slice(truth.indexOf(got[0]!)));
        }
      } finally {
        ws?.close();
        await ingestor.stop();
        await sim.stop();
      }
    }, 90_000);
  });
}
