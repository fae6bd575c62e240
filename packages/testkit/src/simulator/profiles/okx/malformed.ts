/**
 * OKX-shaped frames a robust client must survive: truncated JSON, text that is neither JSON nor
 * `pong`, wrong types, unknown channels and events. Deterministic (cycled) so tests can count them.
 */
export function malformedFrames(count: number, instId: string): string[] {
  const now = Date.now();
  const good = `{"arg":{"channel":"trades-all","instId":"${instId}"},"data":[{"instId":"${instId}","tradeId":"1","px":"1","sz":"1","side":"buy","source":"0","ts":"${now}"}]}`;
  const kinds = [
    good.slice(0, Math.floor(good.length / 2)),
    "this is not json",
    `{"arg":{"channel":"trades-all","instId":"${instId}"},"data":[{"instId":"${instId}","tradeId":1,"px":null,"sz":{},"side":"maybe","ts":"now"}]}`,
    `{"arg":{"channel":"books","instId":"${instId}"},"action":"update","data":[{"asks":"oops","bids":[["1"]],"ts":"${now}","seqId":"x","prevSeqId":null}]}`,
    `{"arg":{"channel":"unknown-channel","instId":"${instId}"},"data":[{}]}`,
    `{"event":"unknownEvent","connId":"0"}`,
    "[1,2,",
    "",
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(kinds[i % kinds.length]!);
  return out;
}
