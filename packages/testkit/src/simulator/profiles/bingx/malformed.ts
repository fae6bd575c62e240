/**
 * Frames a BingX client must reject without crashing: cut-off JSON, garbage, data frames with the
 * wrong shapes or values, an unknown dataType. Sent as text (a client must also take undecoded
 * frames: recordings and replays arrive that way).
 */
export function malformedFrames(count: number, symbol: string, venue: "spot" | "swap"): string[] {
  const trade =
    venue === "spot"
      ? `{"code":0,"data":{"E":1,"T":1,"e":"trade","m":true,"p":"not-a-price","q":"1","s":"${symbol}","t":"1"},"dataType":"${symbol}@trade","success":true}`
      : `{"code":0,"dataType":"${symbol}@trade","data":[{"q":"1","p":"not-a-price","T":1,"m":true,"s":"${symbol}"}]}`;
  const samples = [
    `{"code":0,"dataType":"${symbol}@trade","data":[{"q":"1"`,
    "\u0000\u0001garbage",
    trade,
    `{"code":0,"dataType":"${symbol}@bookTicker","data":"oops"}`,
    `{"code":0,"dataType":"${symbol}@nosuchstream","data":{}}`,
    "[1,2,3]",
    `{"code":0,"dataType":"${symbol}@incrDepth","data":{"action":"sometimes","lastUpdateId":1}}`,
  ];
  return Array.from({ length: count }, (_, i) => samples[i % samples.length]!);
}
