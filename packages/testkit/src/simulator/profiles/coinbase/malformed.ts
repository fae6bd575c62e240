/**
 * Frames a robust client must survive: truncated JSON, non-JSON text, valid JSON with wrong types,
 * unknown channels. None carries a numeric sequence_num, so they never disturb a client's sequence
 * check. Deterministic (cycled in order) so tests can count them.
 */
export function malformedFrames(count: number, product: string): string[] {
  const good = `{"channel":"market_trades","client_id":"","timestamp":"2026-01-01T00:00:00.000000Z","sequence_num":"x","events":[{"type":"update","trades":[{"product_id":"${product}","trade_id":"1","price":"1","size":"1","time":"2026-01-01T00:00:00.000000Z","side":"BUY"}]}]}`;
  const kinds = [
    good.slice(0, Math.floor(good.length / 2)),
    "this is not json",
    `{"channel":"l2_data","client_id":"","timestamp":`,
    good,
    `{"channel":"l2_data","events":"oops"}`,
    `[1,2,`,
    `{"channel":"somethingNew","events":[]}`,
    "",
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(kinds[i % kinds.length]!);
  return out;
}
