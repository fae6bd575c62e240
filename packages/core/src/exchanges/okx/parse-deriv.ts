import type { FrameResult, ParseContext } from "../../adapter.ts";
import type { Deriv, Liquidation } from "../../schemas/messages.ts";
import { isObject, num } from "../wire/fields.ts";
import { badField, ignoredFrozen, unknownSymbol } from "../wire/frame-results.ts";
import { epochMs } from "./fields.ts";
import { EXCHANGE } from "./results.ts";
import { swapOfIndex } from "./symbols.ts";

/**
 * Swap (and futures) channels: mark-price, index-tickers, funding-rate, open-interest → deriv;
 * liquidation-orders → liquidation.
 *
 * OKX splits what a deriv message holds over four channels. The parser merges them per market in
 * the connection's state (like Bybit's ticker deltas), so every deriv message carries everything
 * known so far and a lost or deduplicated message loses nothing for good.
 */

type DerivFields = Pick<
  Deriv,
  "markPrice" | "indexPrice" | "fundingRate" | "nextFundingTime" | "openInterest"
>;

function merged(
  ctx: ParseContext,
  market: string,
  symbol: string,
  ts: number,
  patch: Partial<DerivFields>,
): Deriv {
  const key = `okx:deriv:${market}`;
  let s = ctx.state.get(key) as DerivFields | undefined;
  if (!s) {
    s = { markPrice: null, indexPrice: null, fundingRate: null, nextFundingTime: null, openInterest: null };
    ctx.state.set(key, s);
  }
  Object.assign(s, patch);
  return { type: "deriv", exchange: EXCHANGE, market, symbol, ts, recvTs: ctx.recvTs, ...s };
}

/** Reads one deriv row: its patch, or the name of the bad field. */
function patchOf(channel: string, r: Record<string, unknown>): Partial<DerivFields> | string {
  switch (channel) {
    case "mark-price": {
      const markPrice = num(r.markPx);
      return Number.isNaN(markPrice) ? "markPx" : { markPrice };
    }
    case "index-tickers": {
      const indexPrice = num(r.idxPx);
      return Number.isNaN(indexPrice) ? "idxPx" : { indexPrice };
    }
    case "funding-rate": {
      const fundingRate = num(r.fundingRate);
      if (Number.isNaN(fundingRate)) return "fundingRate";
      // OKX's fundingTime is when the current rate is charged: the normalized nextFundingTime
      // (OKX's own nextFundingTime is the settlement after that)
      const nextFundingTime = epochMs(r.fundingTime);
      return Number.isNaN(nextFundingTime) ? "fundingTime" : { fundingRate, nextFundingTime };
    }
    default: {
      // open-interest: oiCcy is in base currency (oi counts contracts)
      const openInterest = num(r.oiCcy ?? r.oi);
      return Number.isNaN(openInterest) ? "oiCcy" : { openInterest };
    }
  }
}

export function parseDeriv(channel: string, rows: unknown[], ctx: ParseContext): FrameResult {
  const out: Deriv[] = [];
  for (const r of rows) {
    if (!isObject(r)) return badField(channel, "data[]", r);
    const instId = r.instId;
    if (typeof instId !== "string") return badField(channel, "instId", instId);
    // index-tickers name the index (BTC-USDT); it belongs to the swap that follows it
    const symbol = channel === "index-tickers" ? swapOfIndex(instId) : instId;
    const market = ctx.marketOf(symbol);
    if (market === undefined) return unknownSymbol(channel, instId, "instId");
    // funding-rate pushes have carried ts only since 2023
    const ts = channel === "funding-rate" && r.ts === undefined ? ctx.recvTs : epochMs(r.ts);
    if (Number.isNaN(ts)) return badField(channel, "ts", r.ts);
    const patch = patchOf(channel, r);
    if (typeof patch === "string") return badField(channel, patch, r[patch]);
    out.push(merged(ctx, market, symbol, ts, patch));
  }
  return { kind: "data", messages: out };
}

/**
 * `liquidation-orders` is subscribed per instrument type and pushes every swap's liquidations;
 * rows of instruments without a market here are skipped. `details[].side` is the liquidation
 * order's side (buy closes a short). OKX gives no id: the id is built from the order's fields.
 */
export function parseLiquidations(rows: unknown[], ctx: ParseContext): FrameResult {
  const out: Liquidation[] = [];
  for (const r of rows) {
    if (!isObject(r)) return badField("liquidation-orders", "data[]", r);
    const instId = r.instId;
    if (typeof instId !== "string") return badField("liquidation-orders", "instId", instId);
    const market = ctx.marketOf(instId);
    if (market === undefined) continue;
    const details = r.details;
    if (!Array.isArray(details)) return badField("liquidation-orders", "details", details);
    for (const d of details) {
      if (!isObject(d)) return badField("liquidation-orders", "details[]", d);
      const price = num(d.bkPx);
      if (Number.isNaN(price)) return badField("liquidation-orders", "bkPx", d.bkPx);
      const amount = num(d.sz);
      if (Number.isNaN(amount)) return badField("liquidation-orders", "sz", d.sz);
      const side = d.side;
      if (side !== "buy" && side !== "sell") return badField("liquidation-orders", "side", side);
      const ts = epochMs(d.ts);
      if (Number.isNaN(ts)) return badField("liquidation-orders", "ts", d.ts);
      const posSide = typeof d.posSide === "string" ? d.posSide : "";
      out.push({
        type: "liquidation",
        exchange: EXCHANGE,
        market,
        symbol: instId,
        ts,
        recvTs: ctx.recvTs,
        id: `${d.ts}-${side}-${posSide}-${d.bkPx}-${d.sz}`,
        price,
        amount,
        side,
      });
    }
  }
  return out.length === 0
    ? ignoredFrozen("unsubscribed:liquidation-orders")
    : { kind: "data", messages: out };
}
