import { combined, tradePayload } from "./payloads.ts";

/**
 * Frames a robust client must survive: truncated JSON, non-JSON text, valid JSON with wrong types,
 * unknown events. Deterministic (cycled in order) so tests can count them.
 */
export function malformedFrames(count: number, lower: string, symbol: string): string[] {
  const now = Date.now();
  const good = combined(
    `${lower}@trade`,
    tradePayload(symbol, { id: 1, price: 1, amount: 1, side: "buy", ts: now }, now),
  );
  const kinds = [
    good.slice(0, Math.floor(good.length / 2)),
    "this is not json",
    `{"stream":"${lower}@trade","data":{"e":"trade","E":`,
    `{"stream":"${lower}@trade","data":{"e":"trade","E":"soon","s":"${symbol}","t":"one","p":null,"q":{},"T":"now","m":"maybe","M":true}}`,
    `{"stream":"${lower}@depth@100ms","data":{"e":"depthUpdate","E":${now},"s":"${symbol}","U":"x","u":null,"b":"oops","a":[[1]]}}`,
    `[1,2,`,
    `{"e":"unknownEvent","E":${now},"s":"${symbol}"}`,
    "",
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(kinds[i % kinds.length]!);
  return out;
}
