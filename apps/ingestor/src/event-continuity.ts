import type { MarketMessage, Status, Trade } from "@tickerplant/core";

/** A window in which a market's data may be missing, as a `gap` status event carries it. */
export type GapWindow = Required<Pick<Status, "from" | "to" | "detail">> &
  Pick<Status, "fromSeq" | "toSeq" | "channels">;

/** The last event of a market this feed knows was published (from the stream, or its own). */
interface Last {
  ts: number;
  id?: bigint;
}

/**
 * Sees the gaps a connection event does not: across an ingestor restart (the stream's last event
 * of a market against the first new one) and, where the exchange numbers a market's trades one by
 * one (`tradeIdsSequential`), a skipped trade id. Pure: the feed publishes what it returns.
 */
export class EventContinuity {
  /** Last published event per tracked subject, from the stream at start: compared once. */
  private readonly seeds = new Map<string, Last>();
  /** Last trade per market, for the id check. */
  private readonly lastTrade = new Map<string, Last>();
  /**
   * Markets whose next trade follows a reconnect, and when it reconnected: the reconnect's gap
   * event covered the window up to then. A first trade that comes later than that (the exchange
   * took the subscription and stayed silent) starts a gap of its own from the reconnect.
   */
  private readonly afterReconnect = new Map<string, number>();

  constructor(private readonly sequentialTradeIds: boolean) {}

  /** The stream's last event on `subject` before this process published anything. */
  seed(subject: string, last: MarketMessage): void {
    const entry: Last = { ts: last.ts };
    const id = last.type === "trade" ? sequenceId(last.id) : undefined;
    if (id !== undefined) entry.id = id;
    this.seeds.set(subject, entry);
    if (last.type === "trade") this.lastTrade.set(last.market, entry);
  }

  /** The exchange time of the market's last trade seen (where a reconnect's gap must start). */
  lastTradeTs(market: string): number | undefined {
    return this.lastTrade.get(market)?.ts;
  }

  reconnected(markets: readonly string[], at: number): void {
    for (const m of markets) this.afterReconnect.set(m, at);
  }

  /** Called for every message about to be published on `subject`. */
  check(subject: string, msg: MarketMessage): GapWindow | undefined {
    const seed = this.seeds.get(subject);
    if (seed) this.seeds.delete(subject);
    if (msg.type === "trade") return this.checkTrade(msg, seed !== undefined);
    if (!seed || msg.ts <= seed.ts) return undefined;
    return {
      from: seed.ts,
      to: msg.ts,
      detail: "ingestor restarted: events between the last published and the first new one may be missing",
      channels: [msg.type],
    };
  }

  private checkTrade(t: Trade, firstAfterRestart: boolean): GapWindow | undefined {
    const prev = this.lastTrade.get(t.market);
    const id = this.sequentialTradeIds ? sequenceId(t.id) : undefined;
    const reconnectAt = this.afterReconnect.get(t.market);
    this.afterReconnect.delete(t.market);
    if (prev && prev.id !== undefined && id !== undefined && id <= prev.id) return undefined; // seen or older
    const next: Last = { ts: t.ts };
    if (id !== undefined) next.id = id;
    this.lastTrade.set(t.market, next);
    if (!prev) return undefined;
    if (id !== undefined && prev.id !== undefined) {
      if (id === prev.id + 1n) return undefined;
      if (reconnectAt !== undefined) {
        // Trades up to the reconnect are the reconnect gap's; a silence after it is not.
        if (t.ts <= reconnectAt + RECONNECT_SLACK_MS) return undefined;
        return {
          from: reconnectAt,
          to: t.ts,
          detail: `no data for ${Math.round((t.ts - reconnectAt) / 1000)} s after the reconnect: trade ids ${prev.id + 1n}..${id - 1n} missing since ${prev.ts}`,
          channels: ["trade"],
        };
      }
      const window: GapWindow = {
        from: prev.ts,
        to: t.ts,
        detail: firstAfterRestart
          ? `ingestor restarted: trade ids ${prev.id + 1n}..${id - 1n} missing`
          : `trade ids ${prev.id + 1n}..${id - 1n} missing`,
        channels: ["trade"],
      };
      const fromSeq = Number(prev.id + 1n);
      const toSeq = Number(id - 1n);
      if (Number.isSafeInteger(fromSeq) && Number.isSafeInteger(toSeq)) {
        window.fromSeq = fromSeq;
        window.toSeq = toSeq;
      }
      return window;
    }
    // No usable numbering: only a restart says something may be missing.
    if (!firstAfterRestart || t.ts <= prev.ts) return undefined;
    return {
      from: prev.ts,
      to: t.ts,
      detail: "ingestor restarted: trades between the last published and the first new one may be missing",
      channels: ["trade"],
    };
  }
}

/** A first trade this soon after the reconnect (exchange clock vs ours) is within the reconnect's gap. */
const RECONNECT_SLACK_MS = 1000;

/** A trade id as a number in the exchange's sequence, when it is a plain integer. */
function sequenceId(id: string): bigint | undefined {
  return /^\d{1,30}$/.test(id) ? BigInt(id) : undefined;
}
