/**
 * The start-up replay ends at the stream's end as it was when the replay began, even when new
 * messages arrive as fast as it reads (a loaded host at a high trade rate): found by the chaos
 * suite, where a restarted analyzer never became ready.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { connectNats, createLogger, type Nats } from "@tickerplant/runtime";
import { replayStream } from "../src/rebuild.ts";

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const RUN = crypto.randomUUID().replaceAll("-", "").slice(0, 10);
const STREAM = `REBUILD_${RUN}`;
const SUBJECT = `rebuild${RUN}`;
const log = createLogger({ service: "t", level: "error" });
let nats: Nats;

beforeAll(async () => {
  nats = await connectNats(NATS_URL, "analyzer-rebuild-test", log);
  await nats.jsm.streams.add({
    name: STREAM,
    subjects: [`${SUBJECT}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.Memory,
  });
  for (let i = 0; i < 500; i++) await nats.js.publish(`${SUBJECT}.a`, String(i));
});

afterAll(async () => {
  await nats?.jsm.streams.delete(STREAM).catch(() => {});
  await nats?.close();
});

test("a replay chased by new messages stops at the stream's end as of its start", async () => {
  const { watermark, replayed } = await replayStream({
    nats,
    log,
    stream: STREAM,
    filterSubject: `${SUBJECT}.>`,
    from: { time: Date.now() - 60_000 },
    batchSize: 50,
    // Every message read brings a new one: the head moves as fast as the replay.
    onMessage: () => nats.nc.publish(`${SUBJECT}.a`, "more"),
  });
  expect(replayed).toBe(500);
  expect(watermark).toBe(500);
}, 30_000);
