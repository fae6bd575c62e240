/**
 * The publisher across a NATS restart (issue 10's chaos run saw trades land out of order after
 * one): messages published steadily while the server is killed and comes back reach the stream
 * every one once, in the order they were published.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { AckPolicy, DeliverPolicy, StorageType } from "@nats-io/jetstream";
import { type LocalNatsServer, startNatsServer } from "@tickerplant/testkit";
import { Registry } from "prom-client";
import { createLogger } from "../src/logger.ts";
import { connectNats, type Nats } from "../src/nats.ts";
import { JetStreamPublisher } from "../src/publisher.ts";

const log = createLogger({ service: "test", level: "error" });
const STREAM = "RESTART_TEST";
let server: LocalNatsServer;
let nats: Nats;

beforeAll(async () => {
  server = await startNatsServer();
  nats = await connectNats(server.url, "publisher-restart-test", log);
  await nats.jsm.streams.add({
    name: STREAM,
    subjects: ["restart.>"],
    storage: StorageType.File,
    duplicate_window: 60_000_000_000,
  });
});

afterAll(async () => {
  await nats?.close();
  server?.stop();
});

test("a NATS restart under a steady publish: every message once, in publish order, flowing again soon", async () => {
  const publisher = new JetStreamPublisher(nats, { maxInFlight: 256, registry: new Registry(), log });
  let n = 0;
  let publishing = true;
  // The ingestor's way: not awaiting each publish, a few messages per event-loop turn.
  const producer = (async () => {
    while (publishing) {
      for (let i = 0; i < 5; i++) void publisher.publish("restart.a", String(++n), `r-${n}`);
      await Bun.sleep(1);
    }
  })();
  await Bun.sleep(500);
  const restartedAt = Date.now();
  await server.restart();
  const restartedAfter = n;
  // Flowing again: a message published after the restart is acknowledged.
  let flowingMs = -1;
  while (Date.now() - restartedAt < 20_000) {
    // A request made while the connection was down is lost with it (it waits for its timeout).
    const info = await Promise.race([nats.jsm.streams.info(STREAM).catch(() => undefined), Bun.sleep(300)]);
    if (info && info.state.messages > restartedAfter) {
      flowingMs = Date.now() - restartedAt;
      break;
    }
    await Bun.sleep(50);
  }
  await Bun.sleep(300);
  publishing = false;
  await producer;
  await publisher.flush();

  const consumer = await nats.jsm.consumers.add(STREAM, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
  });
  const c = await nats.js.consumers.get(STREAM, consumer.name);
  const got: number[] = [];
  const messages = await c.fetch({ max_messages: n, expires: 5000 });
  for await (const m of messages) {
    got.push(Number(m.string()));
    if (got.length === n) break;
  }
  const outOfOrder = got.filter((id, i) => i > 0 && id <= got[i - 1]!).length;
  expect({ received: got.length, outOfOrder, flowing: flowingMs >= 0 && flowingMs < 5000 }).toEqual({
    received: n,
    outOfOrder: 0,
    flowing: true,
  });
}, 60_000);
