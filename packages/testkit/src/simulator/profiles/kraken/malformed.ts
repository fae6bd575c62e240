/**
 * Frames a robust Kraken client must survive: truncated JSON, non-JSON text, valid JSON with wrong
 * types, an unknown channel, a malformed v1-style array. Deterministic (cycled in order).
 */
export function malformedFrames(count: number, symbol: string): string[] {
  const ts = new Date().toISOString();
  const good = `{"channel":"trade","type":"update","data":[{"symbol":"${symbol}","side":"buy","price":1.5,"qty":1,"ord_type":"market","trade_id":1,"timestamp":"${ts}"}]}`;
  const kinds = [
    good.slice(0, Math.floor(good.length / 2)),
    "this is not json",
    `{"channel":"trade","type":"update","data":[{"symbol":"${symbol}","side":"up","price":"x","qty":{},"trade_id":"one","timestamp":"now"}]}`,
    `{"channel":"book","type":"update","data":[{"symbol":"${symbol}","bids":"oops","asks":[[1]],"checksum":-1}]}`,
    `{"channel":"somethingNew","data":[]}`,
    "[1,2,",
    `[42,"trade"]`,
    "",
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(kinds[i % kinds.length]!);
  return out;
}
