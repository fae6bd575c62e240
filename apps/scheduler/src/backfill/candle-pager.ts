import { type CandleInterval, candleIntervalMs, TickerplantError } from "@tickerplant/core";
import { type Checkpoint, type FetchedPage, fetchPage, label, type PageContext, type Pager } from "./page.ts";

/**
 * Candles in [from, to] at one interval, oldest first, one klines call per page
 * (`klinesPageLimit` candles). Checkpoint: `cursor` = open time of the next candle to fetch. Only
 * closed candles are stored (the open one belongs to the live feed).
 */
export class CandlePager implements Pager {
  constructor(private readonly interval: CandleInterval) {}

  async next(checkpoint: Checkpoint, ctx: PageContext): Promise<FetchedPage | null> {
    const ms = candleIntervalMs(this.interval);
    if (ms === undefined)
      throw new TickerplantError("bad_job", `interval ${this.interval} has no fixed length`, false);
    const { job, client } = ctx;
    const first = Math.floor(job.from / ms) * ms;
    // The last candle wholly before now (and opening at or before `to`).
    const last = Math.min(Math.floor(job.to / ms) * ms, Math.floor(Date.now() / ms) * ms - ms);
    const cursor = typeof checkpoint.cursor === "number" ? checkpoint.cursor : first;
    if (cursor > last) return null;
    const limit = client.adapter.rest.klinesPageLimit;
    const end = Math.min(last, cursor + (limit - 1) * ms);
    const req = client.adapter.rest.klinesRequest({
      market: job.market,
      interval: this.interval,
      startTime: cursor,
      endTime: end + ms - 1,
      limit,
    });
    const { body, recvTs, simulated } = await fetchPage(ctx, req);
    const candles = client.adapter.rest
      .parseKlines(body, { recvTs, market: job.market, interval: this.interval })
      .filter((c) => c.openTime >= cursor && c.openTime <= end && c.closed);
    return {
      trades: [],
      candles: label(candles, simulated),
      checkpoint: {
        ...checkpoint,
        cursor: end + ms,
        candles: Number(checkpoint.candles ?? 0) + candles.length,
      },
      weight: req.weight,
    };
  }
}
