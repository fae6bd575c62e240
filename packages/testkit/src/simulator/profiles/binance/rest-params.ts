import type { HttpReply } from "../types.ts";

/** Binance REST error replies and query-parameter parsing. */

export class BinanceError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
  ) {
    super(msg);
  }

  reply(): HttpReply {
    return { status: this.status, body: { code: this.code, msg: this.message } };
  }
}

export const invalidSymbol = (): BinanceError => new BinanceError(400, -1121, "Invalid symbol.");

export function mandatory(q: URLSearchParams, name: string): string {
  const v = q.get(name);
  if (v === null || v === "") {
    throw new BinanceError(
      400,
      -1102,
      `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
    );
  }
  return v;
}

export function optionalInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?[0-9]{1,20}$/.test(v)) {
    throw new BinanceError(
      400,
      -1100,
      `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`,
    );
  }
  return Number(v);
}

/** `limit` with Binance's default and maximum (values above the maximum are capped). */
export function limitParam(q: URLSearchParams, def: number, max: number): number {
  const v = optionalInt(q, "limit");
  if (v === undefined) return def;
  if (v <= 0)
    throw new BinanceError(
      400,
      -1100,
      "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.",
    );
  return Math.min(v, max);
}

/** `symbols=["BTCUSDT","ETHUSDT"]` (JSON array, as Binance takes it). */
export function symbolsParam(q: URLSearchParams): string[] | undefined {
  const v = q.get("symbols");
  if (v === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(v);
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((s) => typeof s === "string"))
      return parsed;
  } catch {
    // fall through
  }
  throw new BinanceError(
    400,
    -1100,
    "Illegal characters found in parameter 'symbols'; legal range is '^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.",
  );
}

/** Binance's depth weight by limit. */
export function depthWeight(limit: number): number {
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

/** Weight of the ticker endpoints by number of symbols asked for. */
export function tickerWeight(count: number | undefined, perSymbol: number, all: number): number {
  if (count === undefined) return all;
  if (count === 1) return perSymbol;
  if (count <= 20) return perSymbol;
  if (count <= 100) return Math.max(perSymbol, all / 2);
  return all;
}
