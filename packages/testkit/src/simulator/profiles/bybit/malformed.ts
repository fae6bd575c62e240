/**
 * Frames a robust client must reject (never crash on): truncated JSON, non-JSON text, valid JSON
 * with wrong types, an unknown topic. Deterministic (cycled in order) so tests can count them.
 */
export function malformedFrames(count: number, symbol: string): string[] {
  const now = Date.now();
  const good = `{"topic":"publicTrade.${symbol}","ts":${now},"type":"snapshot","data":[{"i":"1","T":${now},"p":"1","v":"1","S":"Buy","s":"${symbol}","BT":false}]}`;
  const kinds = [
    good.slice(0, Math.floor(good.length / 2)),
    "this is not json",
    `{"topic":"publicTrade.${symbol}","ts":${now},"type":"snapshot","data":[{"i":1,"T":"soon","p":null,"v":{},"S":"maybe","s":"${symbol}"}]}`,
    `{"topic":"orderbook.1000.${symbol}","ts":${now},"type":"delta","data":{"s":"${symbol}","b":"oops","a":[[1]],"u":"x","seq":1}}`,
    `[1,2,`,
    `{"topic":"somethingNew.${symbol}","ts":${now},"type":"snapshot","data":{}}`,
    "",
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(kinds[i % kinds.length]!);
  return out;
}
