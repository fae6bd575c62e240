import type { Status } from "@tickerplant/core";

/** A status event for one market (or "*" for a whole connection). */
export function statusEvent(
  base: { exchange: string; market: string; symbol: string; simulated: boolean },
  event: Status["event"],
  detail: string,
  range: Partial<Pick<Status, "from" | "to" | "fromSeq" | "toSeq" | "channels" | "counts">> = {},
): Status {
  const now = Date.now();
  const msg: Status = {
    type: "status",
    exchange: base.exchange,
    market: base.market,
    symbol: base.symbol,
    ts: now,
    recvTs: now,
    event,
    detail,
    ...range,
  };
  if (base.simulated) msg.simulated = true;
  return msg;
}
