import { type CandleInterval, TickerplantError } from "@tickerplant/core";
import type { CandleRowText } from "@tickerplant/db";

const encoder = new TextEncoder();
const bytes = (s: string) => encoder.encode(s);

// The keys between the columns of a `CandleRow`, in `CandleSchema`'s order (interval: per query).
const KEYS = [
  ',"ts":',
  ',"recvTs":',
  ',"simulated":',
  "", // ,"interval":…,"openTime":
  ',"closeTime":',
  ',"open":',
  ',"high":',
  ',"low":',
  ',"close":',
  ',"volume":',
  ',"quoteVolume":',
  ',"trades":',
  ',"closed":',
].map(bytes);
const NULLABLE = new Set([11, 12]); // quoteVolume, trades
const BOOLEAN = new Set([3, 13]); // simulated, closed
const TRUE = bytes("true");
const FALSE = bytes("false");
const NULL = bytes("null");
/** Longest JSON a number can take (e.g. -1.2345678901234567e-308): the buffer's bound per value. */
const MAX_NUMBER = 25;

/**
 * The /candles 200 body written from the rows' text, in `CandleSchema`'s key order: no object per
 * candle, no number parsed and formatted again, no response-schema pass over values the query
 * typed (bench/rest.ts; docs/benchmarks.md, "Gateway REST"). The bytes are what `JSON.stringify`
 * makes of the checked candles: PostgreSQL's float8 text is the shortest exact decimal, as
 * JavaScript's; where it differs in form (exponents, -0) the value is formatted by JavaScript, and
 * a value no JSON number can hold (NaN, Infinity) fails the request (500) as the schema check did.
 */
export function candlesBody(
  rows: readonly CandleRowText[],
  q: { exchange: string; market: string; interval: CandleInterval },
  /** The symbol of a row that has none (computed once, when needed). */
  fallbackSymbol: () => string,
): Uint8Array {
  const head = bytes(
    `{"type":"candle","exchange":${JSON.stringify(q.exchange)},"market":${JSON.stringify(q.market)},"symbol":`,
  );
  const keys = KEYS.slice();
  keys[3] = bytes(`,"interval":${JSON.stringify(q.interval)},"openTime":`);
  const keyBytes = keys.reduce((n, k) => n + k.length, 0);
  let fallback: Uint8Array | undefined;
  let lastSymbol: Buffer | undefined;
  let symbolJson: Uint8Array = NULL;
  let bound = 16;
  for (const row of rows) {
    if (!row[0]?.length) fallback ??= bytes(JSON.stringify(fallbackSymbol()));
    const symbol = row[0]?.length ? row[0].length * 6 : (fallback?.length ?? 0);
    bound += head.length + keyBytes + 2 + symbol + 13 * MAX_NUMBER;
  }
  const out = new Uint8Array(bound);
  let at = 0;
  out.set(bytes('{"data":['), at);
  at += 9;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (r > 0) out[at++] = 0x2c; // ,
    out.set(head, at);
    at += head.length;
    const symbol = row[0];
    if (!symbol?.length) {
      symbolJson = fallback!;
      lastSymbol = undefined;
    } else if (lastSymbol === undefined || !symbol.equals(lastSymbol)) {
      lastSymbol = symbol;
      symbolJson = bytes(JSON.stringify(symbol.toString()));
    }
    out.set(symbolJson, at);
    at += symbolJson.length;
    for (let c = 1; c < 14; c++) {
      const key = keys[c - 1]!;
      out.set(key, at);
      at += key.length;
      const value = row[c];
      let text: Uint8Array;
      if (value === null || value === undefined) {
        if (!NULLABLE.has(c)) throw badValue("null");
        text = NULL;
      } else if (BOOLEAN.has(c)) {
        text = value[0] === 0x74 ? TRUE : FALSE; // t / f
      } else text = plainDecimal(value) ? value : bytes(String(finite(Number(value.toString()))));
      out.set(text, at);
      at += text.length;
    }
    out[at++] = 0x7d; // }
  }
  out[at++] = 0x5d; // ]
  out[at++] = 0x7d; // }
  return out.subarray(0, at);
}

/** Digits with an optional sign and point, not -0: then PostgreSQL and JavaScript write it alike. */
function plainDecimal(text: Uint8Array): boolean {
  let zero = true;
  for (let i = 0; i < text.length; i++) {
    const b = text[i]!;
    if (b >= 0x31 && b <= 0x39) zero = false;
    else if (b !== 0x30 && b !== 0x2e && !(b === 0x2d && i === 0)) return false; // 0 . -
  }
  return !(zero && text[0] === 0x2d);
}

function finite(n: number): number {
  if (!Number.isFinite(n)) throw badValue(String(n));
  return n;
}

const badValue = (what: string) =>
  new TickerplantError("bad_stored_value", `a stored candle holds ${what}`, false);
