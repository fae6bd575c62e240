import type { Interval } from "../../core/intervals.ts";
import type { Venue, VenueSymbols } from "./venue.ts";

/**
 * BingX dataTypes the simulator serves, `<SYMBOL>@<stream>`:
 * both venues `trade`, `bookTicker`, `ticker`, `lastPrice`, `incrDepth`, `kline_<interval>`;
 * spot `depth<5|10|20|50|100>`, swap `depth<N>@<100|200|500|1000>ms` (and `depth<N>`, 500 ms) and
 * `markPrice`. Spot kline names are `1min`…`30min`, `1h`…`1M` (plus the `60min`/`8hour`/`1day`
 * forms seen in the wild); swap uses `1m`…`1M`.
 */

export type TopicKind =
  | "trade"
  | "bookTicker"
  | "ticker"
  | "lastPrice"
  | "markPrice"
  | "kline"
  | "depth"
  | "incrDepth";

export interface Topic {
  /** The dataType as subscribed (the fan-out key, per venue). */
  name: string;
  venue: Venue;
  market: string;
  symbol: string;
  kind: TopicKind;
  interval?: Interval;
  /** depth: levels and push period. */
  levels?: number;
  periodMs?: number;
}

const SPOT_KLINE: Readonly<Record<string, Interval>> = {
  "1min": "1m",
  "3min": "3m",
  "5min": "5m",
  "15min": "15m",
  "30min": "30m",
  "1h": "1h",
  "60min": "1h",
  "2h": "2h",
  "2hour": "2h",
  "4h": "4h",
  "4hour": "4h",
  "6h": "6h",
  "6hour": "6h",
  "8h": "8h",
  "8hour": "8h",
  "12h": "12h",
  "12hour": "12h",
  "1d": "1d",
  "1day": "1d",
  "3d": "3d",
  "1w": "1w",
  "1week": "1w",
  "1M": "1M",
  "1month": "1M",
};

const SWAP_KLINE: ReadonlySet<string> = new Set([
  "1m",
  "3m",
  "5m",
  "15m",
  "30m",
  "1h",
  "2h",
  "4h",
  "6h",
  "8h",
  "12h",
  "1d",
  "3d",
  "1w",
  "1M",
]);

const DEPTH_LEVELS = new Set([5, 10, 20, 50, 100]);
const SWAP_DEPTH_PERIODS = new Set([100, 200, 500, 1000]);
const SIMPLE: Readonly<Record<string, TopicKind>> = {
  trade: "trade",
  bookTicker: "bookTicker",
  ticker: "ticker",
  lastPrice: "lastPrice",
  incrDepth: "incrDepth",
};

export type TopicParse = { ok: true; topic: Topic } | { ok: false; reason: string };

export function parseTopic(name: string, venue: Venue, symbols: VenueSymbols): TopicParse {
  const at = name.indexOf("@");
  if (at <= 0) return { ok: false, reason: "dataType not supported" };
  const symbol = name.slice(0, at);
  const stream = name.slice(at + 1);
  const market = symbols.market(venue, symbol);
  if (market === undefined) return { ok: false, reason: `symbol:${symbol} not supported` };
  const base = { name, venue, market, symbol };
  const simple = SIMPLE[stream];
  if (simple) return { ok: true, topic: { ...base, kind: simple } };
  if (stream === "markPrice" && venue === "swap") return { ok: true, topic: { ...base, kind: "markPrice" } };
  if (stream.startsWith("kline_")) {
    const raw = stream.slice(6);
    const interval = venue === "spot" ? SPOT_KLINE[raw] : SWAP_KLINE.has(raw) ? (raw as Interval) : undefined;
    if (interval) return { ok: true, topic: { ...base, kind: "kline", interval } };
    return { ok: false, reason: "dataType not supported" };
  }
  const depth = /^depth([0-9]+)(?:@([0-9]+)ms)?$/.exec(stream);
  if (depth) {
    const levels = Number(depth[1]);
    const period = depth[2] === undefined ? undefined : Number(depth[2]);
    const ok =
      DEPTH_LEVELS.has(levels) &&
      (venue === "spot" ? period === undefined : period === undefined || SWAP_DEPTH_PERIODS.has(period));
    if (ok) {
      const periodMs = venue === "spot" ? 300 : (period ?? 500);
      return { ok: true, topic: { ...base, kind: "depth", levels, periodMs } };
    }
  }
  return { ok: false, reason: "dataType not supported" };
}
