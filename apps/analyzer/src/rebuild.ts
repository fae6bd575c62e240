import { DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";

/**
 * Rebuilds in-memory windows after a start by replaying the stream itself from `sinceMs`, with an
 * ordered (ephemeral) consumer, rather than reading TimescaleDB: the replay is exact and gives a
 * stream-sequence watermark. Every message at or below the watermark is in the rebuilt windows,
 * so the durable consumer skips those by sequence and a restart cannot double-count. (Rows in
 * SQL depend on how far the storage-writer has got, which is no clean cut of the stream.)
 */
export async function replayStream(deps: {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  filterSubject: string;
  sinceMs: number;
  onMessage(msg: JsMsg): void;
  batchSize?: number;
}): Promise<{ watermark: number; replayed: number }> {
  // Everything matching up to here is pending for the replay consumer once it exists.
  const lastSeq = (await deps.jsm.streams.info(deps.stream)).state.last_seq;
  if (lastSeq === 0) return { watermark: 0, replayed: 0 };
  const consumer = await deps.js.consumers.get(deps.stream, {
    filter_subjects: deps.filterSubject,
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: new Date(deps.sinceMs).toISOString(),
  });
  let watermark = lastSeq;
  let replayed = 0;
  try {
    for (;;) {
      const batch = await consumer.fetch({ max_messages: deps.batchSize ?? 1000, expires: 1000 });
      let received = 0;
      let caughtUp = false;
      for await (const msg of batch) {
        received++;
        replayed++;
        deps.onMessage(msg);
        if (msg.seq > watermark) watermark = msg.seq;
        // Stop at the stream's end as it was when the replay began: the durable consumer takes
        // over from there. Chasing the live head would never end while trades arrive faster than
        // a loaded host replays them. pending = 0 (nothing matching after this one) also ends it;
        // leaving the loop ends the fetch instead of waiting for it to expire.
        if (msg.seq >= lastSeq || msg.info.pending === 0) {
          caughtUp = true;
          break;
        }
      }
      if (caughtUp) break;
      // An empty fetch is the end only if the server agrees nothing is pending.
      if (received === 0 && (await consumer.info(false)).num_pending === 0) break;
    }
  } finally {
    await consumer.delete().catch(() => {});
  }
  return { watermark, replayed };
}
