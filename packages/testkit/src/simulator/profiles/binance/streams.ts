import { type Interval, isInterval } from "../../core/intervals.ts";
import type { ParseResult } from "./control.ts";
import type { SymbolMap } from "./symbols.ts";

/** A parsed Binance stream name, e.g. "btcusdt@kline_1m" or "ethusdt@depth@100ms". */
export type BinanceStream =
  | { kind: "trade" | "aggTrade" | "bookTicker" | "ticker" | "miniTicker"; name: string; market: string }
  | { kind: "kline"; name: string; market: string; interval: Interval }
  | { kind: "depth"; name: string; market: string; speedMs: 100 | 1000 }
  | { kind: "partialDepth"; name: string; market: string; levels: 5 | 10 | 20; speedMs: 100 | 1000 }
  /** A USD-M stream on an unrouted connection (legacy fstream path): the USD-M runtime delivers it. */
  | { kind: "usdm"; name: string; market: string };

export type StreamParse = ParseResult<BinanceStream>;

const NAME_RE = /^([A-Za-z0-9]+)@([A-Za-z0-9_]+)(?:@(100ms|1000ms))?$/;

/**
 * Parses a stream name. The symbol part is case-insensitive (canonical form lowercase); the rest is
 * case-sensitive as on Binance (kline_1m and kline_1M differ). Unknown symbols are refused, so a
 * typo in a test shows up as an error instead of silence.
 */
export function parseStream(raw: string, symbols: SymbolMap): StreamParse {
  const m = NAME_RE.exec(raw);
  if (!m) return { ok: false, reason: `invalid stream name "${raw}"` };
  const sym = m[1]!.toLowerCase();
  const type = m[2]!;
  const speed = m[3];
  const market = symbols.market(sym.toUpperCase());
  if (!market) return { ok: false, reason: `unknown symbol in stream "${raw}"` };
  const base = `${sym}@${type}`;
  switch (type) {
    case "trade":
    case "aggTrade":
    case "bookTicker":
    case "ticker":
    case "miniTicker":
      if (speed) break;
      return { ok: true, stream: { kind: type, name: base, market } };
    case "depth":
      return {
        ok: true,
        stream: {
          kind: "depth",
          name: speed ? `${base}@${speed}` : base,
          market,
          speedMs: speed === "100ms" ? 100 : 1000,
        },
      };
    case "depth5":
    case "depth10":
    case "depth20": {
      const levels = Number(type.slice(5)) as 5 | 10 | 20;
      return {
        ok: true,
        stream: {
          kind: "partialDepth",
          name: speed ? `${base}@${speed}` : base,
          market,
          levels,
          speedMs: speed === "100ms" ? 100 : 1000,
        },
      };
    }
    default:
      if (type.startsWith("kline_") && !speed) {
        const interval = type.slice(6);
        if (isInterval(interval))
          return { ok: true, stream: { kind: "kline", name: base, market, interval } };
      }
  }
  return { ok: false, reason: `invalid stream name "${raw}"` };
}
