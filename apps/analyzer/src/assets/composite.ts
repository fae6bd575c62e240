import type { Composite, CompositeSource, ExcludedSource, Spread } from "@tickerplant/core";
import type { MarketView } from "../stats-engine.ts";
import type { VenueState } from "./venues.ts";

export type CompositeMethod = "volume_weighted" | "median";

export interface AssetInputs {
  asset: string;
  venues: readonly VenueState[];
  /** The venue's trade windows (undefined: no trade in 24 h). */
  view(exchange: string, market: string): MarketView | undefined;
  now: number;
  staleMs: number;
  method: CompositeMethod;
}

interface Candidate {
  venue: VenueState;
  price: number;
  open: number | undefined;
  volume: number;
  lastTs: number;
}

/** Why a venue is left out, or undefined when it is live. */
function exclusion(
  v: VenueState,
  now: number,
  staleMs: number,
  hasPrice: boolean,
): ExcludedSource | undefined {
  const base = { exchange: v.exchange, market: v.market };
  if (v.flag) return { ...base, reason: v.flag.reason, detail: v.flag.detail || `status ${v.flag.reason}` };
  if (now - v.lastSeen > staleMs)
    return {
      ...base,
      reason: "stale",
      detail: Number.isFinite(v.lastSeen)
        ? `no update for ${Math.round(now - v.lastSeen)} ms (limit ${staleMs} ms)`
        : "no update yet",
    };
  if (!hasPrice) return { ...base, reason: "no_price", detail: "no trade or ticker price yet" };
  return undefined;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The composite price of an asset: the venues' last trade prices (a ticker's last when a venue has
 * no trade), weighted by their 24 h base volume (equal weights when no venue has volume), or their
 * median. Venues that are flagged, stale or without a price are listed in `excluded`.
 */
export function computeComposite(i: AssetInputs): Composite {
  const live: Candidate[] = [];
  const excluded: ExcludedSource[] = [];
  let simulated = false;
  for (const v of i.venues) {
    const view = i.view(v.exchange, v.market);
    const day = view?.window("24h");
    const price = view?.lastTrade.price ?? v.ticker?.last;
    const why = exclusion(v, i.now, i.staleMs, price !== undefined);
    if (why) {
      excluded.push(why);
      continue;
    }
    if (v.simulated || view?.lastTrade.simulated) simulated = true;
    live.push({
      venue: v,
      price: price!,
      open: day?.open ?? v.ticker?.open,
      volume: day?.volume ?? v.ticker?.volume ?? 0,
      lastTs: view?.lastTrade.ts ?? v.ticker?.ts ?? v.lastSeen,
    });
  }
  live.sort((a, b) => (a.venue.exchange + a.venue.market).localeCompare(b.venue.exchange + b.venue.market));
  const totalVolume = live.reduce((s, c) => s + c.volume, 0);
  const weight = (c: Candidate) =>
    i.method === "median" || totalVolume <= 0 ? 1 / live.length : c.volume / totalVolume;
  let price: number | null = null;
  let open: number | null = null;
  if (live.length > 0) {
    if (i.method === "median") {
      price = median(live.map((c) => c.price));
      const opens = live.flatMap((c) => (c.open === undefined ? [] : [c.open]));
      open = opens.length > 0 ? median(opens) : null;
    } else {
      price = live.reduce((s, c) => s + c.price * weight(c), 0);
      const withOpen = live.filter((c) => c.open !== undefined);
      const w = withOpen.reduce((s, c) => s + weight(c), 0);
      open = w > 0 ? withOpen.reduce((s, c) => s + c.open! * weight(c), 0) / w : null;
    }
  }
  const sources: CompositeSource[] = live.map((c) => ({
    exchange: c.venue.exchange,
    market: c.venue.market,
    price: c.price,
    volume24h: c.volume,
    weight: weight(c),
    lastTs: c.lastTs,
    ageMs: Math.max(0, i.now - c.venue.lastSeen),
  }));
  return {
    type: "composite",
    asset: i.asset,
    quote: "USD",
    method: i.method,
    ts: i.now,
    price,
    open24h: open,
    changePct24h: price !== null && open ? ((price - open) / open) * 100 : null,
    sources,
    excluded,
    ...(simulated ? { simulated: true } : {}),
  };
}

/** Best bid and ask across the asset's live venues, the spread between them and the arbitrage gap. */
export function computeSpread(i: AssetInputs): Spread {
  const venues: Spread["venues"] = [];
  const excluded: ExcludedSource[] = [];
  let bestBid: Spread["bestBid"] = null;
  let bestAsk: Spread["bestAsk"] = null;
  let simulated = false;
  for (const v of i.venues) {
    const why = exclusion(v, i.now, i.staleMs, v.bbo !== undefined);
    if (why) {
      excluded.push(why);
      continue;
    }
    const b = v.bbo!;
    if (b.simulated) simulated = true;
    venues.push({
      exchange: v.exchange,
      market: v.market,
      bid: b.bidPrice,
      ask: b.askPrice,
      ageMs: i.now - b.recvTs,
    });
    if (b.bidPrice > 0 && (bestBid === null || b.bidPrice > bestBid.price))
      bestBid = { exchange: v.exchange, market: v.market, price: b.bidPrice, amount: b.bidAmount };
    if (b.askPrice > 0 && (bestAsk === null || b.askPrice < bestAsk.price))
      bestAsk = { exchange: v.exchange, market: v.market, price: b.askPrice, amount: b.askAmount };
  }
  venues.sort((a, b) => (a.exchange + a.market).localeCompare(b.exchange + b.market));
  const spread = bestBid && bestAsk ? bestAsk.price - bestBid.price : null;
  const mid = bestBid && bestAsk ? (bestAsk.price + bestBid.price) / 2 : null;
  const arbitrage = spread !== null && spread < 0 ? -spread : 0;
  return {
    type: "spread",
    asset: i.asset,
    ts: i.now,
    bestBid,
    bestAsk,
    spread,
    spreadPct: spread !== null && mid ? (spread / mid) * 100 : null,
    arbitrage,
    arbitragePct: mid ? (arbitrage / mid) * 100 : 0,
    venues,
    excluded,
    ...(simulated ? { simulated: true } : {}),
  };
}

/** What makes a new message worth publishing: everything but the times and ages. */
export function fingerprint(m: Composite | Spread): string {
  if (m.type === "composite")
    return JSON.stringify([
      m.price,
      m.open24h,
      m.sources.map((s) => [s.exchange, s.market, s.price, s.volume24h]),
      m.excluded.map((e) => [e.exchange, e.market, e.reason]),
    ]);
  return JSON.stringify([
    m.bestBid,
    m.bestAsk,
    m.venues.map((v) => [v.exchange, v.market, v.bid, v.ask]),
    m.excluded.map((e) => [e.exchange, e.market, e.reason]),
  ]);
}
