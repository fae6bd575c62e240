import { Counter, Gauge, type Registry } from "prom-client";

/** The book sampler's view of md.book: replicas in sync, holes, and what was written. */
export class BookMetrics {
  readonly replicasSynced: Gauge;
  readonly holes: Counter;
  readonly messages: Counter;
  readonly latestWrites: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.replicasSynced = new Gauge({
      name: "tickerplant_storage_book_replicas_synced",
      help: "order books this writer holds in sync (from md.book), by exchange",
      labelNames: ["exchange"],
      registers,
    });
    this.holes = new Counter({
      name: "tickerplant_storage_book_holes_total",
      help: "holes seen in md.book (a delta that does not follow the previous message); the market waits for the next snapshot",
      labelNames: ["exchange", "market"],
      registers,
    });
    this.messages = new Counter({
      name: "tickerplant_storage_book_messages_total",
      help: "md.book messages read, by outcome (applied, ignored: before a snapshot or a replay, hole, invalid)",
      labelNames: ["outcome"],
      registers,
    });
    this.latestWrites = new Counter({
      name: "tickerplant_storage_book_latest_writes_total",
      help: "Redis book:<ex>:<mkt> writes by outcome (applied, unchanged: TTL refreshed, stale: another writer stored a newer state, unsynced: marked unavailable)",
      labelNames: ["outcome"],
      registers,
    });
  }
}
