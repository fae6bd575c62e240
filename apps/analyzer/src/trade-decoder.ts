import type { JsMsg } from "@nats-io/jetstream";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { ParseError, type Trade, TradeSchema } from "@tickerplant/core";

const checkTrade = TypeCompiler.Compile(TradeSchema);

export interface SequencedTrade {
  /** Stream sequence: the replay watermark and redelivery check compare against it. */
  seq: number;
  trade: Trade;
}

/** Validates one MD_TRADES message; anything else is a ParseError (terminated, never retried). */
export function decodeTrade(msg: JsMsg): SequencedTrade {
  let value: unknown;
  try {
    value = msg.json();
  } catch (cause) {
    throw new ParseError(`${msg.subject}: not JSON`, { cause });
  }
  if (!checkTrade.Check(value)) {
    const first = checkTrade.Errors(value).First();
    throw new ParseError(
      `${msg.subject}: not a trade (${first ? `${first.path}: ${first.message}` : "invalid"})`,
    );
  }
  return { seq: msg.seq, trade: value };
}
