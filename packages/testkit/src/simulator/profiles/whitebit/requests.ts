import type { Interval } from "../../core/intervals.ts";
import { DEPTH_LIMITS } from "./depth.ts";
import { ERRORS, type RequestId, type RpcError } from "./rpc.ts";
import type { SymbolMap } from "./symbols.ts";

/**
 * Decoding and validating WhiteBIT JSON-RPC requests `{"id":..,"method":..,"params":[...]}`.
 * Anything wrong comes back as the WhiteBIT error to answer with.
 */

export interface Request {
  id: RequestId;
  method: string;
  params: unknown[];
}

export type Decoded =
  | { ok: true; request: Request }
  | { ok: false; id: RequestId; error: RpcError }
  | { ok: false; invalidJson: true };

export function decodeRequest(text: string): Decoded {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { ok: false, invalidJson: true };
  }
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) {
    return { ok: false, id: null, error: ERRORS.invalidArgument };
  }
  const req = msg as Record<string, unknown>;
  const id = typeof req.id === "number" || typeof req.id === "string" ? req.id : null;
  if (typeof req.method !== "string") return { ok: false, id, error: ERRORS.methodNotFound };
  const params = req.params === undefined ? [] : req.params;
  if (!Array.isArray(params)) return { ok: false, id, error: ERRORS.invalidArgument };
  return { ok: true, request: { id, method: req.method, params } };
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: RpcError };

const bad = (message: string): { ok: false; error: RpcError } => ({
  ok: false,
  error: { code: ERRORS.invalidArgument.code, message },
});

/** A list subscribe's markets: [] is every market ("all"); an unknown name refuses the request. */
export function marketList(params: unknown[], symbols: SymbolMap, max: number): Checked<"all" | Set<string>> {
  if (params.length === 0) return { ok: true, value: "all" };
  if (max > 0 && params.length > max) return bad(`invalid argument: more than ${max} markets`);
  const markets = new Set<string>();
  for (const p of params) {
    const m = typeof p === "string" ? symbols.market(p) : undefined;
    if (!m) return bad("invalid argument");
    markets.add(m);
  }
  return { ok: true, value: markets };
}

/** The price intervals WhiteBIT takes; the simulator aggregates only "0" (none). */
const PRICE_INTERVALS = [
  "0",
  "0.00000001",
  "0.0000001",
  "0.000001",
  "0.00001",
  "0.0001",
  "0.001",
  "0.01",
  "0.1",
];

/** `depth_subscribe [market, limit, priceInterval, multipleSubscription]`. */
export function depthParams(
  params: unknown[],
  symbols: SymbolMap,
): Checked<{ market: string; limit: number; multiple: boolean }> {
  const [name, limit, interval, multiple] = params;
  const market = typeof name === "string" ? symbols.market(name) : undefined;
  if (!market) return bad("invalid argument");
  if (typeof limit !== "number" || !(DEPTH_LIMITS as readonly number[]).includes(limit))
    return bad("invalid argument");
  if (typeof interval !== "string" || !PRICE_INTERVALS.includes(interval)) return bad("invalid argument");
  if (interval !== "0") return bad('invalid argument: the simulator serves price interval "0" only');
  if (multiple !== undefined && typeof multiple !== "boolean") return bad("invalid argument");
  return { ok: true, value: { market, limit, multiple: multiple === true } };
}

/** Candle periods in seconds of the intervals the simulator keeps (2592000 = a calendar month). */
export const CANDLE_SECONDS: ReadonlyMap<number, Interval> = new Map<number, Interval>([
  [1, "1s"],
  [60, "1m"],
  [180, "3m"],
  [300, "5m"],
  [900, "15m"],
  [1800, "30m"],
  [3600, "1h"],
  [7200, "2h"],
  [14400, "4h"],
  [21600, "6h"],
  [28800, "8h"],
  [43200, "12h"],
  [86400, "1d"],
  [259200, "3d"],
  [604800, "1w"],
  [2592000, "1M"],
]);

/** `candles_subscribe [market, periodSeconds]`. */
export function candleParams(
  params: unknown[],
  symbols: SymbolMap,
): Checked<{ market: string; interval: Interval; seconds: number }> {
  const [name, seconds] = params;
  const market = typeof name === "string" ? symbols.market(name) : undefined;
  if (!market || params.length !== 2) return bad("invalid argument");
  const interval = typeof seconds === "number" ? CANDLE_SECONDS.get(seconds) : undefined;
  if (!interval) return bad("invalid argument");
  return { ok: true, value: { market, interval, seconds: seconds as number } };
}
