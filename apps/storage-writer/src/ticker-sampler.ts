import type { Ticker } from "@tickerplant/core";
import { sampleBucket } from "@tickerplant/db";

/**
 * Chooses which tickers become history rows: the first one per market in each epoch-aligned
 * `sampleMs` bucket (newer than the last bucket stored). Buckets are remembered only once the rows
 * are committed, so a batch that fails and is redelivered is sampled again. insertTickers
 * re-checks the bucket in SQL, which covers restarts and several writers sharing the consumer.
 */
export class TickerSampler {
  private readonly stored = new Map<string, number>();

  constructor(private readonly sampleMs: number) {}

  pick(tickers: readonly Ticker[]): { rows: Ticker[]; commit(): void } {
    const chosen = new Map<string, Ticker>();
    for (const t of tickers) {
      const market = `${t.exchange}:${t.market}`;
      const bucket = sampleBucket(t.ts, this.sampleMs);
      if ((this.stored.get(market) ?? Number.NEGATIVE_INFINITY) >= bucket) continue;
      const key = `${market}:${bucket}`;
      const prev = chosen.get(key);
      if (!prev || t.ts < prev.ts) chosen.set(key, t);
    }
    const rows = [...chosen.values()];
    return {
      rows,
      commit: () => {
        for (const t of rows) {
          const market = `${t.exchange}:${t.market}`;
          const bucket = sampleBucket(t.ts, this.sampleMs);
          if ((this.stored.get(market) ?? Number.NEGATIVE_INFINITY) < bucket) this.stored.set(market, bucket);
        }
      },
    };
  }
}
