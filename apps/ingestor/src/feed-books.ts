import {
  type Book,
  BookSync,
  type ContractSpec,
  type ExchangeAdapter,
  type Status,
  type Subscription,
  type SyncOutput,
  TickerplantError,
} from "@tickerplant/core";
import type { Logger, RestExecutor, RestRetry } from "@tickerplant/runtime";
import type { BookMetrics } from "./book-metrics.ts";

export interface FeedBooksDeps {
  adapter: ExchangeAdapter;
  /** Runs REST depth snapshots under the exchange's shared weight budget. */
  rest: RestExecutor | undefined;
  snapshotLimit: number;
  metrics: BookMetrics;
  log: Logger;
  publish(msg: Book | Status): void;
  status(market: string, event: Status["event"], detail: string, range?: Partial<Status>): void;
  /** Resubscribe one market's book subscription on its connection (stream-snapshot exchanges). */
  resubscribe(sub: Subscription): void;
  /** A contract-sized market's contract, so REST snapshots are in base units like the stream. */
  contractOf?(market: string): ContractSpec | undefined;
}

/**
 * The order books of one feed: one BookSync per market, run by the exchange's rules. A break drops
 * that market's book only, publishes a status event with the reason and sequence range, and fetches
 * a new snapshot (REST, under the shared weight budget) or resubscribes the market.
 */
export class FeedBooks {
  private readonly books = new Map<
    string,
    { sync: BookSync; sub: Subscription; changedAt: number; broke: boolean }
  >();
  private readonly fetching = new Map<string, { again: boolean }>();
  private stopped = false;

  constructor(
    private readonly d: FeedBooksDeps,
    subscriptions: Subscription[],
  ) {
    const rules = d.adapter.bookSync;
    for (const sub of subscriptions) {
      if (sub.channel !== "book") continue;
      if (!rules) throw new Error(`${d.adapter.id} ${d.adapter.marketType} has no book sync rules`);
      this.books.set(sub.market, { sync: new BookSync(rules), sub, changedAt: 0, broke: false });
    }
  }

  get size(): number {
    return this.books.size;
  }

  onBook(msg: Book): void {
    const entry = this.books.get(msg.market);
    if (!entry) return;
    this.handle(msg.market, entry.sync.onMessage(msg), msg);
  }

  private handle(market: string, outputs: SyncOutput[], cause?: Book): void {
    const entry = this.books.get(market)!;
    const exchange = this.d.adapter.id;
    for (const o of outputs) {
      switch (o.kind) {
        case "snapshot":
          entry.changedAt = Date.now();
          this.d.publish(o.book);
          if (entry.broke) {
            entry.broke = false;
            this.d.status(market, "resync", `book resynced at ${o.book.seq}`, { fromSeq: o.book.seq });
          }
          break;
        case "delta":
          entry.changedAt = Date.now();
          this.d.metrics.deltasApplied.inc({ exchange, market });
          this.d.publish(o.book);
          break;
        case "break":
          entry.broke = true;
          this.d.metrics.resyncs.inc({ exchange, market, reason: o.reason });
          if (o.reason === "checksum") this.d.metrics.checksumFailures.inc({ exchange, market });
          this.d.log.warn("order book broke; resyncing this market", {
            market,
            reason: o.reason,
            detail: o.detail,
          });
          this.d.status(market, o.reason === "gap" ? "gap" : "resync", `book ${o.reason}: ${o.detail}`, {
            channels: ["book"],
            ...(o.fromSeq !== undefined ? { fromSeq: o.fromSeq } : {}),
            ...(o.toSeq !== undefined ? { toSeq: o.toSeq } : {}),
            ...(cause ? { to: cause.ts } : {}),
          });
          break;
        case "need-snapshot":
          this.requestSnapshot(market);
          break;
      }
    }
  }

  private requestSnapshot(market: string): void {
    const entry = this.books.get(market)!;
    const exchange = this.d.adapter.id;
    if (this.d.adapter.bookSync?.snapshotFrom === "stream") {
      this.d.metrics.snapshotRequests.inc({ exchange, source: "stream" });
      this.d.resubscribe(entry.sub);
      return;
    }
    if (!this.d.rest) return;
    const inFlight = this.fetching.get(market);
    if (inFlight) {
      // Asked again while a snapshot is on its way (it may not bridge): fetch once more after it.
      inFlight.again = true;
      return;
    }
    const state = { again: false };
    this.fetching.set(market, state);
    void this.fetch(market).finally(() => {
      this.fetching.delete(market);
      if (state.again && !this.stopped) setTimeout(() => this.requestSnapshot(market), 100);
    });
  }

  private async fetch(market: string): Promise<void> {
    const exchange = this.d.adapter.id;
    const req = this.d.adapter.rest.depthRequest(market, this.d.snapshotLimit);
    // Each failed attempt (a snapshot that times out, a ban, a broken connection) is counted and
    // reported on the market's status, so a book that stays unsynced says why.
    const failed = (r: { reason: RestRetry["reason"] | string; detail: string }) => {
      this.d.metrics.snapshotFailures.inc({ exchange, reason: r.reason });
      this.d.status(market, "resync", `book snapshot ${r.reason} (${r.detail}); retrying`);
    };
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        this.d.metrics.snapshotRequests.inc({ exchange, source: "rest" });
        this.d.metrics.snapshotWeight.inc({ exchange }, req.weight);
        const { body, recvTs } = await this.d.rest!.execute(req, undefined, "immediate", failed);
        const contract = this.d.contractOf?.(market);
        const snapshot = this.d.adapter.rest.parseDepth(body, {
          recvTs,
          market,
          ...(contract ? { contract } : {}),
        });
        const entry = this.books.get(market);
        if (!entry || this.stopped) return;
        this.handle(market, entry.sync.onRestSnapshot(snapshot));
        return;
      } catch (err) {
        this.d.log.warn("book snapshot request failed; retrying", { market, attempt, err });
        // The executor gave up on this attempt's retries (its error's code: timeout, network, http_<status>…).
        failed({
          reason: err instanceof TickerplantError ? err.code : "error",
          detail: err instanceof Error ? err.message : String(err),
        });
        await Bun.sleep(Math.min(30_000, 500 * 2 ** attempt));
      }
    }
  }

  /** The connection carrying these markets went down: their books are no longer trustworthy. */
  dropMarkets(markets: readonly string[]): void {
    for (const m of markets) {
      const entry = this.books.get(m);
      if (!entry) continue;
      entry.sync.drop();
      entry.broke = true;
    }
  }

  /** Full snapshots of every synced book, for consumers that join mid-stream. */
  snapshots(template: (market: string) => Omit<Book, "bids" | "asks" | "seq" | "prevSeq" | "kind">): Book[] {
    const out: Book[] = [];
    for (const [market, { sync }] of this.books) {
      if (!sync.synced) continue;
      const top = sync.book.top(Number.MAX_SAFE_INTEGER);
      out.push({
        ...template(market),
        kind: "snapshot",
        seq: sync.seq,
        prevSeq: null,
        bids: top.bids,
        asks: top.asks,
      });
    }
    return out;
  }

  *ages(): Iterable<[string, string, number]> {
    const now = Date.now();
    for (const [market, e] of this.books)
      if (e.sync.synced) yield [this.d.adapter.id, market, now - e.changedAt];
  }

  stop(): void {
    this.stopped = true;
  }
}
