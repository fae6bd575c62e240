import { afterAll, beforeAll, expect, test } from "bun:test";
import { type JsMsg, StorageType } from "@nats-io/jetstream";
import { until } from "@tickerplant/testkit";
import { createLogger } from "../src/logger.ts";
import { connectNats, type Nats } from "../src/nats.ts";
import { OrderedReader, type OrderedReaderOptions } from "../src/ordered-reader.ts";
import { NATS_URL, uniqueName } from "./env.ts";

const log = createLogger({ service: "test", level: "error" });
let nats: Nats;
const stream = uniqueName("READER_");
const subject = stream.toLowerCase();

beforeAll(async () => {
  nats = await connectNats(NATS_URL, "ordered-reader-test", log);
  await nats.jsm.streams.add({ name: stream, subjects: [`${subject}.>`], storage: StorageType.Memory });
});

afterAll(async () => {
  await nats.jsm.streams.delete(stream).catch(() => {});
  await nats.close();
});

/** Publishes `texts` on `sub` and returns their stream sequences. */
async function publish(sub: string, texts: string[]): Promise<number[]> {
  const seqs: number[] = [];
  for (const t of texts) seqs.push((await nats.js.publish(`${subject}.${sub}`, t)).seq);
  return seqs;
}

function reader(sub: string, from: OrderedReaderOptions["from"], extra: Partial<OrderedReaderOptions> = {}) {
  const got: Array<{ seq: number; text: string }> = [];
  const r = new OrderedReader({
    nats,
    stream,
    filter: `${subject}.${sub}`,
    from,
    onMessage: (m: JsMsg) => {
      got.push({ seq: m.seq, text: m.string() });
    },
    log,
    name: "test",
    retryMs: 100,
    ...extra,
  });
  return { r, got };
}

// Waits use until, not waitFor: a timeout falls through to the expect, which shows what arrived.
async function consumerCount(): Promise<number> {
  return (await nats.jsm.streams.info(stream)).state.consumer_count;
}

test("from a sequence: that message and every later one of the filter, in order", async () => {
  const seqs = await publish("seq", ["a", "b", "c", "d"]);
  await publish("other", ["x"]);
  const { r, got } = reader("seq", { seq: seqs[1]! });
  await r.start();
  await until(() => got.length >= 3, 10_000, 20);
  expect(got).toEqual([
    { seq: seqs[1]!, text: "b" },
    { seq: seqs[2]!, text: "c" },
    { seq: seqs[3]!, text: "d" },
  ]);
  await r.stop();
});

test("from a time: messages stored at or after it", async () => {
  await publish("time", ["old"]);
  await Bun.sleep(50);
  const from = Date.now();
  await publish("time", ["new1", "new2"]);
  const { r, got } = reader("time", { time: from });
  await r.start();
  await until(() => got.length >= 2, 10_000, 20);
  expect(got.map((g) => g.text)).toEqual(["new1", "new2"]);
  await r.stop();
});

test('"next": only what is published after it opens', async () => {
  await publish("next", ["before"]);
  const { r, got } = reader("next", "next");
  await r.start();
  await publish("next", ["after"]);
  await until(() => got.length >= 1, 10_000, 20);
  await Bun.sleep(100);
  expect(got.map((g) => g.text)).toEqual(["after"]);
  await r.stop();
});

test("when its consumer is deleted it continues from the next sequence: every message once, in order", async () => {
  const { r, got } = reader("reopen", "next", { expiresMs: 2000 });
  await r.start();
  await publish("reopen", ["1", "2", "3"]);
  await until(() => got.length >= 3, 10_000, 20);
  for await (const c of await nats.jsm.consumers.list(stream))
    await nats.jsm.consumers.delete(stream, c.name);
  await publish("reopen", ["4", "5", "6"]);
  await until(() => got.length >= 6, 20_000, 20);
  await Bun.sleep(200);
  expect(got.map((g) => g.text)).toEqual(["1", "2", "3", "4", "5", "6"]);
  await r.stop();
}, 30_000);

test("an async handler is awaited: one message at a time, in order", async () => {
  await publish("slow", ["1", "2", "3", "4", "5"]);
  let active = 0;
  let maxActive = 0;
  const order: string[] = [];
  const { r } = reader(
    "slow",
    { time: 0 },
    {
      onMessage: async (m) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await Bun.sleep(10);
        order.push(m.string());
        active--;
      },
    },
  );
  await r.start();
  await until(() => order.length >= 5, 10_000, 20);
  expect(order).toEqual(["1", "2", "3", "4", "5"]);
  expect(maxActive).toBe(1);
  await r.stop();
});

test("toEnd stops after the stream's last message as of opening, while more arrives", async () => {
  await publish("bounded", ["1", "2", "3"]);
  const { r, got } = reader(
    "bounded",
    { time: 0 },
    {
      onMessage: async (m) => {
        got.push({ seq: m.seq, text: m.string() });
        if (got.length === 1) await publish("bounded", ["late"]);
      },
      toEnd: true,
    },
  );
  await r.start();
  await r.ended;
  expect(got.map((g) => g.text)).toEqual(["1", "2", "3"]);
  expect(r.endSeq).toBe(got[2]!.seq);
});

test("toEnd with nothing to read ends at once", async () => {
  const { r, got } = reader("empty", { time: 0 }, { toEnd: true });
  await r.start();
  await r.ended;
  expect(got).toEqual([]);
});

test("stop ends deliveries and deletes the consumer", async () => {
  const before = await consumerCount();
  const { r, got } = reader("stop", "next");
  await r.start();
  expect(await consumerCount()).toBe(before + 1);
  await publish("stop", ["1"]);
  await until(() => got.length >= 1, 10_000, 20);
  await r.stop();
  await r.ended;
  await publish("stop", ["2"]);
  await Bun.sleep(200);
  expect(got.map((g) => g.text)).toEqual(["1"]);
  expect(await consumerCount()).toBe(before);
});

test("open then stop before run: nothing is delivered and no consumer is left", async () => {
  const before = await consumerCount();
  await publish("unrun", ["1"]);
  const { r, got } = reader("unrun", { time: 0 });
  await r.open();
  await r.stop();
  await Bun.sleep(100);
  expect(got).toEqual([]);
  expect(await consumerCount()).toBe(before);
});
