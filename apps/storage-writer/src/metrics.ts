import { Counter, Histogram, type Registry } from "prom-client";

/** What the writer did to each table and to the Redis latest state. */
export class StorageMetrics {
  readonly rowsWritten: Counter;
  readonly duplicates: Counter;
  readonly rejected: Counter;
  readonly batchRows: Histogram;
  readonly writeSeconds: Histogram;
  readonly latestUpdates: Counter;
  readonly invalidEvents: Counter;
  readonly copyTimeouts: Counter;
  readonly copyConflicts: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.rowsWritten = new Counter({
      name: "tickerplant_storage_rows_written_total",
      help: "rows inserted or updated, by table",
      labelNames: ["table"],
      registers,
    });
    this.duplicates = new Counter({
      name: "tickerplant_storage_duplicates_total",
      help: "rows offered but already stored (redeliveries, replays; for candles: updates that changed nothing), by table",
      labelNames: ["table"],
      registers,
    });
    this.copyTimeouts = new Counter({
      name: "tickerplant_storage_copy_timeouts_total",
      help: "trade COPY batches that did not settle in time (connection dropped, batch written with unnest)",
      registers,
    });
    this.copyConflicts = new Counter({
      name: "tickerplant_storage_copy_conflicts_total",
      help: "trade batches whose COPY into trades met a stored or repeated row (rejected whole, written with ON CONFLICT DO NOTHING instead)",
      registers,
    });
    this.invalidEvents = new Counter({
      name: "tickerplant_storage_invalid_events_total",
      help: "events skipped because they are not valid JSON of their type (the rest of the message is written)",
      registers,
    });
    this.rejected = new Counter({
      name: "tickerplant_storage_rows_rejected_total",
      help: "rows the database refused permanently and that were dropped, by table",
      labelNames: ["table"],
      registers,
    });
    this.batchRows = new Histogram({
      name: "tickerplant_storage_batch_rows",
      help: "rows offered per batch write, by table",
      labelNames: ["table"],
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000],
      registers,
    });
    this.writeSeconds = new Histogram({
      name: "tickerplant_storage_write_seconds",
      help: "time to write one batch to the database, by table",
      labelNames: ["table"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.latestUpdates = new Counter({
      name: "tickerplant_storage_latest_updates_total",
      help: "Redis latest-state writes, by kind (ticker, bbo, deriv) and outcome (applied, stale: older than the stored one)",
      labelNames: ["kind", "outcome"],
      registers,
    });
  }
}
