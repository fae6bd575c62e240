import { ParseError } from "../../errors.ts";
import { formatMarket, isMarketName } from "../../markets.ts";
import type { MarketInfo } from "../../schemas/market-info.ts";
import { isObject, positiveNum, sample } from "../wire/fields.ts";
import { okxData } from "./rest-body.ts";
import { EXCHANGE } from "./results.ts";

/**
 * GET /api/v5/public/instruments?instType=SPOT|SWAP → MarketInfo. Swaps leave baseCcy/quoteCcy
 * empty, so base and quote come from the instrument id (`BTC-USDT-SWAP`); their tickSz is in
 * quote and lotSz in contracts of ctVal each (in ctValCcy: the base on linear swaps, the quote on
 * inverse ones), as trade and book sizes are: the contract is kept for their conversion.
 */

export type InstType = "SPOT" | "SWAP";

function status(state: string): MarketInfo["status"] {
  if (state === "live") return "trading";
  if (state === "suspend" || state === "preopen") return "halted";
  return "delisted";
}

/** ctVal in ctValCcy: base units (linear) or quote units (inverse); null when unreadable. */
function contractOf(
  r: Record<string, unknown>,
  base: string,
  quote: string,
): Pick<MarketInfo, "contractValue" | "inverse"> {
  const value = positiveNum(r.ctVal);
  const ccy = typeof r.ctValCcy === "string" ? r.ctValCcy.toUpperCase() : "";
  const inverse = r.ctType === "inverse" || (ccy === quote && ccy !== base);
  return { contractValue: value, inverse };
}

export function parseInstruments(body: unknown, instType: InstType): MarketInfo[] {
  const rows = okxData(body, "instruments");
  const out: MarketInfo[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!isObject(r) || typeof r.instId !== "string" || typeof r.state !== "string") {
      throw new ParseError(`okx instruments: data[${i}] lacks instId/state strings: ${sample(r)}`);
    }
    if (r.instType !== undefined && r.instType !== instType) continue;
    // test instruments cannot be traded and never have data
    if (r.state === "test") continue;
    const parts = r.instId.split("-");
    const swap = instType === "SWAP";
    if (parts.length !== (swap ? 3 : 2) || (swap && parts[2] !== "SWAP")) continue;
    const base = parts[0]!.toUpperCase();
    const quote = parts[1]!.toUpperCase();
    const market = formatMarket({ base, quote, kind: swap ? "perp" : "spot" });
    if (!isMarketName(market)) continue;
    out.push({
      exchange: EXCHANGE,
      market,
      symbol: r.instId,
      base,
      quote,
      type: swap ? "perp" : "spot",
      status: status(r.state),
      tickSize: positiveNum(r.tickSz),
      lotSize: positiveNum(r.lotSz),
      // OKX has a minimum size (minSz), not a minimum notional
      minNotional: null,
      ...(swap ? contractOf(r, base, quote) : {}),
    });
  }
  return out;
}
