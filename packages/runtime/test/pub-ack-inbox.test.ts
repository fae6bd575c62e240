import { afterAll, beforeAll, expect, test } from "bun:test";
import { JetStreamApiError, StorageType } from "@nats-io/jetstream";
import { headers, NoRespondersError, TimeoutError } from "@nats-io/transport-node";
import { createLogger } from "../src/logger.ts";
import { connectNats, type Nats } from "../src/nats.ts";
import { PubAckInbox } from "../src/pub-ack-inbox.ts";
import { NATS_URL, uniqueName } from "./env.ts";

const log = createLogger({ service: "test", level: "error" });
let nats: Nats;
const stream = uniqueName("ACKS_");
const subject = stream.toLowerCase();

beforeAll(async () => {
  nats = await connectNats(NATS_URL, "pub-ack-inbox-test", log);
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

function msgId(id: string) {
  const h = headers();
  h.append("Nats-Msg-Id", id);
  return h;
}

test("each publish gets its own acknowledgement; a repeated id is reported as a duplicate", async () => {
  const acks = new PubAckInbox(nats.nc, 5000);
  try {
    const first = await Promise.all(["a", "b", "c"].map((id) => acks.publish(`${subject}.x`, id, msgId(id))));
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
