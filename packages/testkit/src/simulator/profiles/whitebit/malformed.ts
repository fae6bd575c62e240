/**
 * Frames a robust client must survive, in WhiteBIT's shapes: truncated JSON, non-JSON text, valid
 * JSON with wrong types, unknown methods. Deterministic (cycled in order) so tests can count them.
 */
export function malformedFrames(count: number, symbol: string): string[] {
  const now = Date.now() / 1000;
  const good = `{"id":null,"method":"trades_update","params":["${symbol}",[{"id":1,"time":${now},"price":"1","amount":"1","type":"buy"}]]}`;
  const kinds = [
    good.slice(0, Math.floor(good.length / 2)),
    "this is not json",
    `{"id":null,"method":"trades_update","params":["${symbol}",[{"id":"one","time":"soon","price":null,"amount":{},"type":"maybe"}]]}`,
    `{"id":null,"method":"depth_update","params":["yes",{"timestamp":${now},"update_id":"x","asks":"oops","bids":[[1]]},"${symbol}"]}`,
    `{"id":null,"method":"candles_update","params":"nope"}`,
    `[1,2,`,
    `{"id":null,"method":"unknownChannel_update","params":[]}`,
    "",
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(kinds[i % kinds.length]!);
  return out;
}
