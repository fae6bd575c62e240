import { type Book, BookReplica } from "@tickerplant/core";

export type ApplyOutcome = "applied" | "ignored" | "hole";

/** One market's copy of the published book, and what a sample needs to describe it. */
export interface MarketBook {
  key: string;
  exchange: string;
  market: string;
  symbol: string;
  simulated: boolean;
  recvTs: number;
  replica: BookReplica;
  /** JetStream sequence of the last message that changed this market's state (applied, or a hole). */
  streamSeq: number;
  /** Local time this market's last message arrived. */
  heardAt: number;
}

/** A BookReplica per market, built from md.book (snapshots reset; a hole waits for the next snapshot). */
export class BookReplicas {
  private readonly markets = new Map<string, MarketBook>();

  apply(book: Book, streamSeq: number, now: number): ApplyOutcome {
    const key = `${book.exchange}:${book.market}`;
    let m = this.markets.get(key);
    if (!m) {
      m = {
        key,
        exchange: book.exchange,
        market: book.market,
        symbol: book.symbol,
        simulated: false,
        recvTs: book.recvTs,
        replica: new BookReplica(),
        streamSeq: 0,
        heardAt: now,
      };
      this.markets.set(key, m);
    }
    m.heardAt = now;
    const wasSynced = m.replica.synced;
    if (m.replica.apply(book)) {
      m.streamSeq = streamSeq;
      m.symbol = book.symbol;
      m.simulated = book.simulated === true;
      m.recvTs = book.recvTs;
      return "applied";
    }
    if (wasSynced && !m.replica.synced) {
      m.streamSeq = streamSeq;
      return "hole";
    }
    return "ignored";
  }

  values(): IterableIterator<MarketBook> {
    return this.markets.values();
  }

  /** The top `depth` levels as a normalized book snapshot message, or undefined when not synced. */
  static snapshot(m: MarketBook, depth: number): Book | undefined {
    return m.replica.snapshot(
      {
        type: "book",
        exchange: m.exchange,
        market: m.market,
        symbol: m.symbol,
        recvTs: m.recvTs,
        ...(m.simulated ? { simulated: true } : {}),
      },
      depth,
    );
  }
}
