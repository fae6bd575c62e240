import type { JsMsg } from "@nats-io/jetstream";
import { type Logger, type Nats, OrderedReader, type ReadFrom } from "@tickerplant/runtime";

/**
 * Rebuilds in-memory windows after a start by replaying the stream itself from `from` (24 h ago, or
 * a little before a checkpoint's watermark), with an
 * ordered reader, rather than reading TimescaleDB: the replay is exact and gives a
 * stream-sequence watermark. Every message at or below the watermark is in the rebuilt windows,
 * so the durable consumer skips those by sequence and a restart cannot double-count. (Rows in
 * SQL depend on how far the storage-writer has got, which is no clean cut of the stream.)
 *
 * It stops at the stream's end as it was when the replay began: the durable consumer takes over
 * from there. Chasing the live head would never end while trades arrive faster than a loaded host
 * replays them.
 */
export async function replayStream(deps: {
  nats: Nats;
  stream: string;
  filterSubject: string;
  from: ReadFrom;
  onMessage(msg: JsMsg): void;
  log: Logger;
  batchSize?: number;
}): Promise<{ watermark: number; replayed: number }> {
  let replayed = 0;
  let lastRead = 0;
  const reader = new OrderedReader({
    nats: deps.nats,
    stream: deps.stream,
    filter: deps.filterSubject,
    from: deps.from,
    onMessage: (msg) => {
      replayed++;
      lastRead = msg.seq;
      deps.onMessage(msg);
    },
    pullAhead: deps.batchSize ?? 1000,
    toEnd: true,
    log: deps.log,
    name: "stats rebuild",
  });
  await reader.start();
  await reader.ended;
  const end = Number.isFinite(reader.endSeq) ? reader.endSeq : 0;
  return { watermark: Math.max(end, lastRead), replayed };
}
