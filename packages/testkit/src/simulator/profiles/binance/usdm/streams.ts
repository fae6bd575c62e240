import { type Interval, isInterval } from "../../../core/intervals.ts";
import type { ParseResult } from "../control.ts";
import type { UsdmSymbolMap } from "./symbols.ts";

/** The two routed paths of fstream.binance.com (since 2026). */
export type UsdmRoute = "public" | "market";

interface Base {
  name: string;
  market: string;
  /** The path the stream is served on; elsewhere it is accepted and never delivers. */
  route: UsdmRoute;
}

/** A parsed USD-M stream name, e.g. "btcusdt@markPrice@1s" or "ethusdt@depth@100ms". */
export type UsdmStream =
  | (Base & { kind: "aggTrade" | "bookTicker" | "ticker" | "forceOrder" })
  | (Base & { kind: "kline"; interval: Interval })
  | (Base & { kind: "depth"; speedMs: 100 | 250 | 500 })
  | (Base & { kind: "markPrice"; speedMs: 1000 | 3000 });

const NAME_RE = /^([A-Za-z0-9]+)@([A-Za-z0-9_]+)(?:@(100ms|250ms|500ms|1s))?$/;

/**
 * Parses a USD-M stream name: `@aggTrade`, `@bookTicker`, `@ticker`, `@forceOrder`,
 * `@kline_<interval>` (no 1s on futures), `@depth[@100ms|@250ms|@500ms]` (250 ms by default),
 * `@markPrice[@1s]` (3 s by default). undefined when the symbol is not a USD-M symbol, so the
 * caller can report its own error.
 */
export function parseUsdmStream(raw: string, symbols: UsdmSymbolMap): ParseResult<UsdmStream> | undefined {
  const m = NAME_RE.exec(raw);
  if (!m) return undefined;
  const sym = m[1]!.toLowerCase();
  const type = m[2]!;
  const speed = m[3];
  const market = symbols.market(sym.toUpperCase());
  if (!market) return undefined;
  const base = `${sym}@${type}`;
  const bad: ParseResult<UsdmStream> = { ok: false, reason: `invalid stream name "${raw}"` };
  switch (type) {
    case "aggTrade":
    case "ticker":
    case "forceOrder":
      return speed ? bad : { ok: true, stream: { kind: type, name: base, market, route: "market" } };
    case "bookTicker":
      return speed ? bad : { ok: true, stream: { kind: type, name: base, market, route: "public" } };
    case "depth": {
      if (speed === "1s") return bad;
      const speedMs = speed === "100ms" ? 100 : speed === "500ms" ? 500 : 250;
      const name = speed ? `${base}@${speed}` : base;
      return { ok: true, stream: { kind: "depth", name, market, route: "public", speedMs } };
    }
    case "markPrice":
      if (speed !== undefined && speed !== "1s") return bad;
      return {
        ok: true,
        stream: {
          kind: "markPrice",
          name: speed ? `${base}@1s` : base,
          market,
          route: "market",
          speedMs: speed ? 1000 : 3000,
        },
      };
    default:
      if (type.startsWith("kline_") && !speed) {
        const interval = type.slice(6);
        if (isInterval(interval) && interval !== "1s")
          return { ok: true, stream: { kind: "kline", name: base, market, route: "market", interval } };
      }
  }
  return bad;
}
