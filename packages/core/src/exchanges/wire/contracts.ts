import type { FrameResult, ParseContext, RestContext } from "../../adapter.ts";
import { messageToBase } from "../../contracts.ts";
import type { MarketMessage } from "../../schemas/messages.ts";

type FrameParser = (frame: string | Uint8Array, ctx: ParseContext) => FrameResult;

/** A contract-sized venue's frame parser → one whose sizes are base units where the caller knows the contract. */
export function inBaseUnits(parse: FrameParser): FrameParser {
  return (frame, ctx) => {
    const result = parse(frame, ctx);
    const contractOf = ctx.contractOf;
    if (result.kind !== "data" || contractOf === undefined) return result;
    const messages = result.messages.map((m) => {
      const spec = contractOf(m.market);
      return spec === undefined ? m : messageToBase(m, spec);
    });
    return { ...result, messages };
  };
}

/** REST rows parsed in contracts → base units, when the request's context carries the contract. */
export function restInBaseUnits<M extends MarketMessage>(m: M, ctx: RestContext): M {
  return ctx.contract === undefined ? m : (messageToBase(m, ctx.contract) as M);
}
