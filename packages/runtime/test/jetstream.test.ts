import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { JetStreamApiError, StorageType } from "@nats-io/jetstream";
import { headers, NoRespondersError, TimeoutError } from "@nats-io/transport-node";
import { batchMessageId, EVENTS_HEADER, EVENTS_VERSION } from "@tickerplant/core";
import { Registry } from "prom-client";
import { BatchConsumer } from "../src/consumer.ts";
import { eventTexts } from "../src/events.ts";
import { createLogger } from "../src/logger.ts";
import { connectNats, type Nats } from "../src/nats.ts";
import { PubAckInbox } from "../src/pub-ack-inbox.ts";
import { JetStreamPublisher } from "../src/publisher.ts";
import { ensureDurableConsumer, provisionStreams, streamDefinitions } from "../src/streams.ts";
import { NATS_URL, uniqueName } from "./env.ts";

const log = createLogger({ service: "test", level: "error" });
let nats: Nats;
const stream = uniqueName("TEST_");
const subject = stream.toLowerCase();

beforeAll(async () => {
  nats = await connectNats(NATS_URL, "runtime-test", log);
  await nats.jsm.streams.add({
    name: stream,
    subjects: [`${subject}.>`],
    storage: StorageType.Memory,
    duplicate_window: 60_000_000_000,
  });
});

afterAll(async () => {
  await nats.jsm.streams.delete(stream).catch(() => {});
  await nats.close();
});

describe("stream provisioning", () => {
  test("is idempotent and creates every defined stream", async () => {
    const opts = { replicas: 1, tradesRetentionDays: 7 };
    await provisionStreams(nats.jsm, opts, log);
    await provisionStreams(nats.jsm, opts, log);
    for (const def of streamDefinitions(opts)) {
      const info = await nats.jsm.streams.info(def.name);
      expect(info.config.subjects).toEqual(def.subjects);
    }
  });
});

describe("JetStreamPublisher", () => {
  test("deduplicates by message id and bounds the in-flight window", async () => {
    const publisher = new JetStreamPublisher(nats, { maxInFlight: 4, registry: new Registry(), log });
    for (let i = 0; i < 50; i++) await publisher.publish(`${subject}.a`, `m${i % 25}`, `id-${i % 25}`);
    await publisher.flush();
    const info = await nats.jsm.streams.info(stream);
    expect(info.state.messages).toBe(25);
  });
});

describe("JetStreamPublisher flush", () => {
  test("waits for publishes still queued behind a full window, not just those in flight", async () => {
    const publisher = new JetStreamPublisher(nats, { maxInFlight: 4, registry: new Registry(), log });
    const before = (await nats.jsm.streams.info(stream)).state.messages;
    // Not awaited: most of these wait for the window while flush() is called.
    for (let i = 0; i < 300; i++) void publisher.publish(`${subject}.f`, `f${i}`, `f-${i}`);
    await publisher.flush();
    expect((await nats.jsm.streams.info(stream)).state.messages - before).toBe(300);
  });
});

describe("JetStreamPublisher events", () => {
  test("events of one subject in one turn become one versioned message; each keeps its id and order", async () => {
    const publisher = new JetStreamPublisher(nats, { maxInFlight: 16, registry: new Registry(), log });
    const before = (await nats.jsm.streams.info(stream)).state.messages;
    for (let i = 0; i < 5; i++) publisher.publishEvent(`${subject}.e`, JSON.stringify({ n: i }), `e-${i}`);
    publisher.publishEvent(`${subject}.e2`, JSON.stringify({ n: 99 }), "e-99");
    await publisher.flush();
    // The same events again in another grouping (a redundant ingestor): stored, not merged.
    publisher.publishEvent(`${subject}.e`, JSON.stringify({ n: 3 }), "e-3");
    publisher.publishEvent(`${subject}.e`, JSON.stringify({ n: 4 }), "e-4");
    await publisher.flush();
    // The same grouping retried: deduplicated by the server.
    for (let i = 0; i < 5; i++) publisher.publishEvent(`${subject}.e`, JSON.stringify({ n: i }), `e-${i}`);
    await publisher.flush();
    expect((await nats.jsm.streams.info(stream)).state.messages - before).toBe(3);
    const first = (await nats.jsm.streams.getMessage(stream, { last_by_subj: `${subject}.e2` }))!;
    expect(first.header.get(EVENTS_HEADER)).toBe(EVENTS_VERSION);
    const grouped = (await nats.jsm.streams.getMessage(stream, { seq: first.seq - 1 }))!;
    expect(grouped.header.get("Nats-Msg-Id")).toBe(batchMessageId(["e-0", "e-1", "e-2", "e-3", "e-4"]));
    expect(eventTexts({ data: grouped.data, headers: grouped.header }).map((t) => JSON.parse(t).n)).toEqual([
      0, 1, 2, 3, 4,
    ]);
  });
});

describe("BatchConsumer", () => {
  test("acks only after handle() succeeds and redelivers a failed batch", async () => {
    const durable = uniqueName("c");
    await ensureDurableConsumer(nats.jsm, {
      stream,
      durable,
      filterSubject: `${subject}.b`,
      ackWaitMs: 2000,
    });
    for (let i = 0; i < 10; i++)
      await nats.js.publish(`${subject}.b`, JSON.stringify({ n: i }), { msgID: `b-${i}` });
    const seen: number[] = [];
    let failOnce = true;
    const consumer = new BatchConsumer<{ n: number }>({
      js: nats.js,
      stream,
      durable,
      batchSize: 5,
      flushIntervalMs: 20,
      nakDelayMs: 50,
      decode: (m) => [m.json()],
      handle: async (items) => {
        if (failOnce) {
          failOnce = false;
          throw new Error("database unavailable");
        }
        seen.push(...items.map((i) => i.n));
      },
      registry: new Registry(),
      log,
    });
    await consumer.start();
    const deadline = Date.now() + 8000;
    while (new Set(seen).size < 10 && Date.now() < deadline) await Bun.sleep(50);
    await consumer.stop();
    expect([...new Set(seen)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const info = await nats.jsm.consumers.info(stream, durable);
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  });

  test("terminates a message it cannot decode and keeps going", async () => {
    const durable = uniqueName("p");
    await ensureDurableConsumer(nats.jsm, { stream, durable, filterSubject: `${subject}.c` });
    await nats.js.publish(`${subject}.c`, "{not json", { msgID: "c-bad" });
    await nats.js.publish(`${subject}.c`, JSON.stringify({ n: 1 }), { msgID: "c-1" });
    const registry = new Registry();
    const seen: number[] = [];
    const consumer = new BatchConsumer<{ n: number }>({
      js: nats.js,
      stream,
      durable,
      batchSize: 10,
      flushIntervalMs: 20,
      decode: (m) => {
        try {
          return [m.json()];
        } catch (cause) {
          throw Object.assign(new Error("bad json", { cause }), { retryable: false, code: "parse_error" });
        }
      },
      handle: async (items) => void seen.push(...items.map((i) => i.n)),
      registry,
      log,
    });
    await consumer.start();
    const deadline = Date.now() + 5000;
    while (seen.length < 1 && Date.now() < deadline) await Bun.sleep(50);
    await consumer.stop();
    expect(seen).toEqual([1]);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/tickerplant_consumer_failures_total\{consumer="[^"]+",outcome="(term|nak)"\} 1/);
  });
});

function msgId(id: string) {
  const h = headers();
  h.append("Nats-Msg-Id", id);
  return h;
}

describe("PubAckInbox", () => {
  test("each publish gets its own acknowledgement; a repeated id is reported as a duplicate", async () => {
    const acks = new PubAckInbox(nats.nc, 5000);
    try {
      const first = await Promise.all(
        ["a", "b", "c"].map((id) => acks.publish(`${subject}.x`, id, msgId(id))),
      );
      expect(first.map((a) => [a.stream, a.duplicate])).toEqual([
        [stream, false],
        [stream, false],
        [stream, false],
      ]);
      expect(first.map((a) => a.seq)).toEqual([first[0]!.seq, first[0]!.seq + 1, first[0]!.seq + 2]);
      const again = await acks.publish(`${subject}.x`, "b", msgId("b"));
      expect(again).toMatchObject({ stream, seq: first[1]!.seq, duplicate: true });
    } finally {
      acks.close();
    }
  });

  test("no stream for the subject: rejected at once as no responders", async () => {
    const acks = new PubAckInbox(nats.nc, 5000);
    try {
      const t0 = performance.now();
      const err = await acks.publish(`${subject}-none.x`, "x", msgId("n")).catch((e) => e);
      expect(err).toBeInstanceOf(NoRespondersError);
      expect(performance.now() - t0).toBeLessThan(2000);
    } finally {
      acks.close();
    }
  });

  test("the stream refuses the publish: the API error is the rejection", async () => {
    const acks = new PubAckInbox(nats.nc, 5000);
    try {
      const h = msgId("w");
      h.append("Nats-Expected-Stream", "SOME_OTHER_STREAM");
      const err = await acks.publish(`${subject}.x`, "x", h).catch((e) => e);
      expect(err).toBeInstanceOf(JetStreamApiError);
    } finally {
      acks.close();
    }
  });

  test("an acknowledgement that never comes times out; close rejects what is left", async () => {
    const acks = new PubAckInbox(nats.nc, 200);
    // A plain subscriber takes the message and never replies.
    const silent = nats.nc.subscribe(`${subject}-silent.x`, { callback: () => {} });
    try {
      const err = await acks.publish(`${subject}-silent.x`, "x", msgId("t")).catch((e) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      const slow = new PubAckInbox(nats.nc, 60_000);
      const pending = slow.publish(`${subject}-silent.x`, "y", msgId("u")).catch((e: Error) => e.message);
      slow.close();
      expect(await pending).toBe("publisher closed");
    } finally {
      silent.unsubscribe();
      acks.close();
    }
  });
});
