import type { ParseContext } from "../../adapter.ts";
import type { BingxVenue } from "./streams.ts";

/** A data frame split into what its parsers need: `{"code":0,"dataType":"<symbol>@<stream>","data":...}`. */
export interface Topic {
  venue: BingxVenue;
  /** The symbol of the dataType (payloads may repeat it in `s`). */
  symbol: string;
  /** The dataType after the first `@`: `trade`, `kline_1min`, `depth20@100ms`, ... */
  stream: string;
  /** The whole frame (frame-level times: spot `timestamp`, swap depth `ts`). */
  frame: Record<string, unknown>;
  ctx: ParseContext;
}

/** The payload's own symbol when it carries one, else the dataType's. */
export function symbolIn(p: Record<string, unknown>, t: Topic): string {
  return typeof p.s === "string" && p.s.length > 0 ? p.s : t.symbol;
}
