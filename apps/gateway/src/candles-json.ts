import { type CandleInterval, TickerplantError } from "@tickerplant/core";
import type { CandleRowText } from "@tickerplant/db";

const encoder = new TextEncoder();
const bytes = (s: string) => encoder.encode(s);

// The keys before the values of a `CandleRowText`, in `CandleSchema`'s order (interval: per query).
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
const NUMBER = 0;
const NULLABLE = 1;
const BOOLEAN = 2;
// Per value: ts, recvTs, simulated, openTime, closeTime, open, high, low, close, volume, quoteVolume, trades, closed.
const KIND = [
  NUMBER,
  NUMBER,
  BOOLEAN,
  NUMBER,
  NUMBER,
  NUMBER,
  NUMBER,
  NUMBER,
  NUMBER,
  NUMBER,
  NULLABLE,
  NULLABLE,
  BOOLEAN,
];
const TRUE = bytes("true");
const FALSE = bytes("false");
const NULL = bytes("null");
/** Most a value's text grows in the body: `` → null, t → true, f → false (a reformatted number is checked). */
const MAX_GROWTH = 4;

/**
 * The /candles 200 body written from the rows' text, in `CandleSchema`'s key order: no object per
 * candle, no number parsed and formatted again, no response-schema pass over values the query
 * typed (bench/rest.ts; docs/benchmarks.md, "Gateway REST"). The bytes are what `JSON.stringify`
 * makes of the checked candles: PostgreSQL's float8 text is the shortest exact decimal, as
 * JavaScript's; where it differs in form (exponents, -0) the value is formatted by JavaScript, and
 * a value no JSON number can hold (NaN, Infinity) fails the request (500) as the schema check did.
 * Bytes are copied in plain loops: `Uint8Array.set` per key and value was a sixth of a read's CPU.
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
  let bound = 16;
  for (const [symbol, values] of rows) {
    if (symbol.length === 0) fallback ??= bytes(JSON.stringify(fallbackSymbol()));
    const symbolBytes = symbol.length ? symbol.length * 6 + 2 : fallback!.length;
    bound += head.length + keyBytes + 2 + symbolBytes + values.length + KIND.length * MAX_GROWTH;
  }
  let out = new Uint8Array(bound);
  let at = 0;
  const copy = (from: Uint8Array, start: number, end: number) => {
    for (let i = start; i < end; i++) out[at++] = from[i]!;
  };
  copy(bytes('{"data":['), 0, 9);
  let lastSymbol: Buffer | undefined;
  let symbolJson: Uint8Array = NULL;
  for (let r = 0; r < rows.length; r++) {
    const [symbol, values] = rows[r]!;
    if (r > 0) out[at++] = 0x2c; // ,
    copy(head, 0, head.length);
    if (symbol.length === 0) {
      symbolJson = fallback!;
      lastSymbol = undefined;
    } else if (lastSymbol === undefined || !symbol.equals(lastSymbol)) {
      lastSymbol = symbol;
      symbolJson = bytes(JSON.stringify(symbol.toString()));
    }
    copy(symbolJson, 0, symbolJson.length);
    let v = 0;
    let start = 0;
    for (let i = 0; i <= values.length; i++) {
      if (i < values.length && values[i] !== 0x2c) continue; // the end of a value: , or the text's end
      if (v === KIND.length) throw badValue("more values than a candle has");
      const key = keys[v]!;
      copy(key, 0, key.length);
      const kind = KIND[v++]!;
      if (i === start) {
        if (kind !== NULLABLE) throw badValue("null");
        copy(NULL, 0, 4);
      } else if (kind === BOOLEAN) {
        const b = values[start] === 0x74 ? TRUE : FALSE; // t / f
        copy(b, 0, b.length);
      } else if (plainDecimal(values, start, i)) copy(values, start, i);
      else {
        const text = String(finite(Number(values.toString("latin1", start, i))));
        // JavaScript writes 1e15 to 1e21 out in full where PostgreSQL writes 1e+15: more room.
        bound += Math.max(0, text.length - (i - start) - MAX_GROWTH);
        if (bound > out.length) {
          const grown = new Uint8Array(bound * 2);
          grown.set(out.subarray(0, at));
          out = grown;
        }
        for (let c = 0; c < text.length; c++) out[at++] = text.charCodeAt(c);
      }
      start = i + 1;
    }
    if (v !== KIND.length) throw badValue("fewer values than a candle has");
    out[at++] = 0x7d; // }
  }
  out[at++] = 0x5d; // ]
  out[at++] = 0x7d; // }
  return out.subarray(0, at);
}

/** Digits with an optional sign and point, not -0: then PostgreSQL and JavaScript write it alike. */
function plainDecimal(text: Uint8Array, start: number, end: number): boolean {
  let zero = true;
  for (let i = start; i < end; i++) {
    const b = text[i]!;
    if (b >= 0x31 && b <= 0x39) zero = false;
    else if (b !== 0x30 && b !== 0x2e && !(b === 0x2d && i === start)) return false; // 0 . -
  }
  return !(zero && text[start] === 0x2d);
}

function finite(n: number): number {
  if (!Number.isFinite(n)) throw badValue(String(n));
  return n;
}

const badValue = (what: string) =>
  new TickerplantError("bad_stored_value", `a stored candle holds ${what}`, false);
