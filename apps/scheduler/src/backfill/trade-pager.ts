import type { Trade } from "@tickerplant/core";
import type { Sql } from "@tickerplant/runtime";
import {
  type Checkpoint,
  type FetchedPage,
  fetchPage,
  label,
  type PageContext,
  type Pager,
  restContext,
} from "./page.ts";

/** Rows per trades call (adapters clamp it to their own maximum). */
const TRADES_PAGE = 1000;

/**
 * Trades in [from, to]. Where the exchange pages by sequential trade id (`tradesPaging: "id"`),
 * pages forward from the first id of the window: the id after the last stored trade before it,
 * else asked of the exchange where it can say (`rest.firstTradeId`), else found by bisecting ids
 * over REST. Ids the exchange no longer serves are counted as
 * `missing` (the heal is then unhealable for them). Elsewhere only the most recent page exists.
 *
 * Checkpoint: `nextId` (next trade id to fetch), `trades` (rows fetched in the window),
 * `missing`, `reason`, `done`.
 */
export class TradePager implements Pager {
  constructor(private readonly sql: Sql) {}

  async next(checkpoint: Checkpoint, ctx: PageContext): Promise<FetchedPage | null> {
    if (checkpoint.done === true) return null;
    if ((ctx.client.adapter.rest.tradesPaging ?? "recent") === "recent") return this.recent(checkpoint, ctx);
    let weight = 0;
    let nextId = typeof checkpoint.nextId === "string" ? Number(checkpoint.nextId) : undefined;
    if (nextId === undefined) {
      const start = await this.startId(ctx);
      weight += start.weight;
      if (start.id === undefined) {
        return { trades: [], candles: [], checkpoint: { ...checkpoint, done: true, trades: 0 }, weight };
      }
      nextId = start.id;
    }
    const { job, client } = ctx;
    const req = client.adapter.rest.tradesRequest({
      market: job.market,
      fromId: String(nextId),
      limit: TRADES_PAGE,
    });
    weight += req.weight;
    const { body, recvTs, simulated } = await fetchPage(ctx, req);
    const rows = client.adapter.rest.parseTrades(body, restContext(ctx, recvTs));
    let missing = Number(checkpoint.missing ?? 0);
    let reason = checkpoint.reason as string | undefined;
    const head = rows[0];
    if (head === undefined) {
      return {
        trades: [],
        candles: [],
        checkpoint: { ...checkpoint, nextId: String(nextId), done: true },
        weight,
      };
    }
    const headId = Number(head.id);
    if (headId > nextId && head.ts >= job.from) {
      // The exchange no longer serves ids nextId..headId-1, and some of them fall in the window.
      missing += headId - nextId;
      reason = `${job.exchange} serves ${job.market} trades over REST only from id ${headId} on (${headId - nextId} older ones in the window are gone)`;
    }
    const inWindow = rows.filter((t) => t.ts >= job.from && t.ts <= job.to);
    const tail = rows[rows.length - 1] as Trade;
    const done = tail.ts > job.to;
    return {
      trades: label(inWindow, simulated),
      candles: [],
      checkpoint: {
        ...checkpoint,
        nextId: String(Number(tail.id) + 1),
        trades: Number(checkpoint.trades ?? 0) + inWindow.length,
        missing,
        ...(reason !== undefined ? { reason } : {}),
        done,
      },
      weight,
    };
  }

  /**
   * The first trade id to fetch: after the last stored trade before the window, else the
   * exchange's own answer (`rest.firstTradeId`), else by bisection.
   */
  private async startId(ctx: PageContext): Promise<{ id: number | undefined; weight: number }> {
    const { job } = ctx;
    const stored = await this.sql<{ id: string }[]>`
      select trade_id as id from trades
      where exchange = ${job.exchange} and market = ${job.market}
        and time < ${new Date(job.from).toISOString()}::timestamptz
        and time > ${new Date(job.from - 3_600_000).toISOString()}::timestamptz
        and trade_id ~ '^[0-9]+$'
      order by time desc limit 1`;
    if (stored[0]) return { id: Number(stored[0].id) + 1, weight: 0 };
    const first = ctx.client.adapter.rest.firstTradeId;
    if (first) {
      // One cheap call where the exchange can say it (Binance: an aggregate trade at that time).
      const req = first.request(job.market, job.from);
      const { body } = await fetchPage(ctx, req);
      const answer = first.parse(body);
      let weight = req.weight;
      if (answer !== undefined) {
        // Trusted only while the trade before it is still served and before the window: an
        // exchange that dropped older trades answers with its oldest kept one, and the bisection
        // counts what is gone.
        const id = Number(answer);
        if (id <= 1) return { id, weight };
        const probe = ctx.client.adapter.rest.tradesRequest({
          market: job.market,
          fromId: String(id - 1),
          limit: 1,
        });
        weight += probe.weight;
        const { body: before, recvTs } = await fetchPage(ctx, probe);
        const prev = ctx.client.adapter.rest.parseTrades(before, restContext(ctx, recvTs))[0];
        if (prev !== undefined && Number(prev.id) === id - 1 && prev.ts < job.from) return { id, weight };
      }
      const searched = await this.bisect(ctx);
      return { id: searched.id, weight: searched.weight + weight };
    }
    return this.bisect(ctx);
  }

  /** Smallest id whose trade is at or after `from` (ids grow with time); undefined when none is. */
  private async bisect(ctx: PageContext): Promise<{ id: number | undefined; weight: number }> {
    const { job, client } = ctx;
    let weight = 0;
    const probe = async (fromId?: number): Promise<Trade | undefined> => {
      const req = client.adapter.rest.tradesRequest({
        market: job.market,
        ...(fromId !== undefined ? { fromId: String(fromId) } : {}),
        limit: 1,
      });
      weight += req.weight;
      const { body, recvTs } = await fetchPage(ctx, req);
      const rows = client.adapter.rest.parseTrades(body, restContext(ctx, recvTs));
      return fromId === undefined ? rows[rows.length - 1] : rows[0];
    };
    const latest = await probe();
    if (latest === undefined || latest.ts < job.from) return { id: undefined, weight };
    let lo = 1;
    let hi = Number(latest.id);
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const t = await probe(mid);
      if (t === undefined) return { id: undefined, weight };
      if (t.ts >= job.from) hi = mid;
      else lo = Math.max(mid + 1, Number(t.id) + 1);
    }
    return { id: lo, weight };
  }

  /** The exchange serves only its most recent trades: one page, and what it cannot reach is lost. */
  private async recent(checkpoint: Checkpoint, ctx: PageContext): Promise<FetchedPage> {
    const { job, client } = ctx;
    const req = client.adapter.rest.tradesRequest({ market: job.market, limit: TRADES_PAGE });
    const { body, recvTs, simulated } = await fetchPage(ctx, req);
    const rows = client.adapter.rest.parseTrades(body, restContext(ctx, recvTs));
    const inWindow = rows.filter((t) => t.ts >= job.from && t.ts <= job.to);
    const oldest = rows[0];
    const reaches = oldest !== undefined && oldest.ts <= job.from;
    return {
      trades: label(inWindow, simulated),
      candles: [],
      checkpoint: {
        ...checkpoint,
        trades: inWindow.length,
        missing: reaches ? 0 : -1,
        ...(reaches
          ? {}
          : {
              reason: `${job.exchange} serves only its ${rows.length} most recent ${job.market} trades over REST; older ones in the window cannot be fetched`,
            }),
        done: true,
      },
      weight: req.weight,
    };
  }
}
