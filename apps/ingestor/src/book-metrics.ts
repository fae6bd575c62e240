import { Counter, Gauge, type Registry } from "prom-client";

export interface BookMetrics {
  resyncs: Counter<"exchange" | "market" | "reason">;
  checksumFailures: Counter<"exchange" | "market">;
  deltasApplied: Counter<"exchange" | "market">;
  snapshotRequests: Counter<"exchange" | "source">;
  snapshotWeight: Counter<"exchange">;
  snapshotFailures: Counter<"exchange" | "reason">;
  bookAge: Gauge<"exchange" | "market">;
}

export function createBookMetrics(
  registry: Registry,
  ages: () => Iterable<[string, string, number]>,
): BookMetrics {
  const registers = [registry];
  return {
    resyncs: new Counter({
      name: "tickerplant_book_resyncs_total",
      help: "order books dropped and rebuilt, by exchange, market and reason (gap, checksum, crossed, reset)",
      labelNames: ["exchange", "market", "reason"],
      registers,
    }),
    checksumFailures: new Counter({
      name: "tickerplant_book_checksum_failures_total",
      help: "books whose exchange checksum did not match",
      labelNames: ["exchange", "market"],
      registers,
    }),
    deltasApplied: new Counter({
      name: "tickerplant_book_deltas_applied_total",
      help: "book deltas applied and published",
      labelNames: ["exchange", "market"],
      registers,
    }),
    snapshotRequests: new Counter({
      name: "tickerplant_book_snapshot_requests_total",
      help: "book snapshots requested, by source (rest = depth call, stream = resubscribe)",
      labelNames: ["exchange", "source"],
      registers,
    }),
    snapshotFailures: new Counter({
      name: "tickerplant_book_snapshot_failures_total",
      help: "REST book snapshot attempts that failed and are retried, by reason (timeout, network, rate_limited, server_error, http_<status>)",
      labelNames: ["exchange", "reason"],
      registers,
    }),
    snapshotWeight: new Counter({
      name: "tickerplant_book_snapshot_weight_total",
      help: "REST weight spent on book snapshots",
      labelNames: ["exchange"],
      registers,
    }),
    bookAge: new Gauge({
      name: "tickerplant_book_age_seconds",
      help: "time since a synced book last changed",
      labelNames: ["exchange", "market"],
      registers,
      collect() {
        this.reset();
        for (const [exchange, market, ageMs] of ages()) this.set({ exchange, market }, ageMs / 1000);
      },
    }),
  };
}
