/**
 * A resumed subscription survives a NATS restart (its ephemeral consumer is gone afterwards): every
 * message once, in order. (The chaos suite saw "consumer not found" retries in a loaded gateway after
 * a NATS reconnect; this isolates the restart itself.)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectNats, createLogger, type Nats, provisionStreams } from "@tickerplant/runtime";
import { Registry } from "prom-client";
import { createGatewayMetrics } from "../src/metrics.ts";
import type { Delivery } from "../src/ws/delivery.ts";
import { ReplayFeed } from "../src/ws/replay-feed.ts";

// A nats-server of its own: the test restarts it.
const PORT = 21_000 + Math.floor(Math.random() * 9000);
const NATS_URL = `nats://127.0.0.1:${PORT}`;
const STORE = mkdtempSync(join(tmpdir(), "replay-feed-nats-"));
let server: ReturnType<typeof Bun.spawn> | undefined;
const startServer = async () => {
  server = Bun.spawn(["nats-server", "-a", "127.0.0.1", "-p", String(PORT), "-js", "-sd", STORE], {
    stdout: "ignore",
    stderr: "ignore",
  });
  for (let i = 0; i < 100; i++) {
    const ok = await Bun.connect({ hostname: "127.0.0.1", port: PORT, socket: { data() {} } }).then(
      (s) => (s.end(), true),
      () => false,
    );
    if (ok) return;
    await Bun.sleep(100);
  }
};
const RUN = crypto.randomUUID().replaceAll("-", "").slice(0, 8).toUpperCase();
const STREAM = "MD_TRADES";
const EX = `rp${RUN.toLowerCase()}`;
let nats: Nats;

beforeAll(async () => {
  await startServer();
  nats = await connectNats(NATS_URL, "replay-feed-test", createLogger({ service: "t", level: "error" }));
  await provisionStreams(
    nats.jsm,
    { replicas: 1, tradesRetentionDays: 7 },
    createLogger({ service: "t", level: "error" }),
  );
});

afterAll(async () => {
  await nats?.close();
  server?.kill("SIGKILL");
  rmSync(STORE, { recursive: true, force: true });
});

async function publish(from: number, to: number): Promise<void> {
  for (let i = from; i <= to; i++)
    await nats.js.publish(`md.trade.${EX}.A-USDT`, JSON.stringify({ type: "trade", id: String(i) }));
}

test("a replay across a NATS restart continues from the next sequence: every message once, in order", async () => {
  const first = (await nats.jsm.streams.info(STREAM)).state.last_seq + 1;
  await publish(1, 50);
  const got: Delivery[] = [];
  const feed = new ReplayFeed({
    filter: `md.trade.${EX}.>`,
    stream: STREAM,
    since: { seq: first },
    sink: (d) => got.push(d),
    writable: async () => {},
    nats,
    log: createLogger({ service: "t", level: "error" }),
    metrics: createGatewayMetrics(new Registry()),
  });
  await feed.open();
  feed.run();
  const until = async (n: number) => {
    const deadline = Date.now() + 30_000;
    while (got.length < n && Date.now() < deadline) await Bun.sleep(50);
  };
  await until(50);
  // NATS dies and comes back: the stream is on disk, the replay's ephemeral consumer is not.
  server?.kill("SIGKILL");
  await server?.exited;
  await startServer();
  // Back as soon as a publish is acknowledged (the account-info request would wait its 15 s timeout).
  for (let i = 0; i < 100; i++) {
    const ok = await nats.js
      .publish(`md.trade.${EX}.A-USDT`, JSON.stringify({ type: "trade", id: "51" }), {
        timeout: 1000,
        msgID: `${EX}-51`, // a retry after a lost acknowledgement is not stored twice
      })
      .then(
        () => true,
        () => false,
      );
    if (ok) break;
    await Bun.sleep(100);
  }
  const published = Date.now();
  await publish(52, 80);
  await until(80);
  // Flowing again within seconds of the server, not after the 30 s heartbeat default.
  expect(Date.now() - published).toBeLessThan(4000);
  feed.stop();
  const ids = got.map((d) => Number((JSON.parse(d.payload) as { id: string }).id));
  expect(ids).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
}, 90_000);
