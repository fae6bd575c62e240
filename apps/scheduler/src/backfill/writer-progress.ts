import type { JetStreamManager } from "@nats-io/jetstream";
import { marketSubject } from "@tickerplant/core";

/**
 * Where the storage-writer's trades consumer stands: a gap heal waits until it has stored every
 * trade the stream held for the market when the heal began. Without this, a writer lagging by more
 * than the heal's clock bound let the heal store live trades that were published but not yet
 * written as "missing" ones, and publish them again — WebSocket clients then got them twice (the
 * platform ramp at 20k trades/s, docs/benchmarks.md).
 */
export class WriterProgress {
  constructor(
    private readonly jsm: JetStreamManager,
    /** The writer's durable consumer on the trades stream (`<CONSUMER_PREFIX>-trades`). */
    private readonly durable: string,
    private readonly stream = "MD_TRADES",
  ) {}

  /** The stream sequence of the market's last trade message now; undefined when it has none. */
  async lastTradeSeq(exchange: string, market: string): Promise<number | undefined> {
    try {
      const msg = await this.jsm.streams.getMessage(this.stream, {
        last_by_subj: marketSubject("trade", exchange, market),
      });
      return msg?.seq;
    } catch {
      return undefined; // no message on the subject (or no stream): nothing to wait for
    }
  }

  /**
   * Whether the writer has acknowledged everything up to `seq`; "gone" when no writer consumer
   * exists or no writer is pulling from it (a stale durable must not hold a heal back).
   */
  async storedThrough(seq: number): Promise<"yes" | "no" | "gone"> {
    try {
      const info = await this.jsm.consumers.info(this.stream, this.durable);
      if (info.ack_floor.stream_seq >= seq) return "yes";
      if (info.num_waiting === 0 && info.num_ack_pending === 0) return "gone";
      return "no";
    } catch {
      return "gone";
    }
  }
}
