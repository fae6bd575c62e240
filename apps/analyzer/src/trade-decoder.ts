import type { JsMsg } from "@nats-io/jetstream";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { ParseError, type Trade, TradeSchema } from "@tickerplant/core";
import { eventTexts } from "@tickerplant/runtime";

const checkTrade = TypeCompiler.Compile(TradeSchema);

export interface SequencedTrade {
  /**
   * Stream sequence of the message that carried the trade (its trades share it and are always
   * handled together): the replay watermark and redelivery check compare against it.
   */
  seq: number;
  /** When the server stored that message (epoch ms): where a checkpoint's replay starts. */
  storedMs: number;
  trade: Trade;
}

function decodeOne(msg: JsMsg, text: string, storedMs: number): SequencedTrade {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ParseError(`${msg.subject}: not JSON`, { cause });
  }
  if (!checkTrade.Check(value)) {
    const first = checkTrade.Errors(value).First();
    throw new ParseError(
      `${msg.subject}: not a trade (${first ? `${first.path}: ${first.message}` : "invalid"})`,
    );
  }
  return { seq: msg.seq, storedMs, trade: value };
}

/**
 * The trades of one MD_TRADES message. Invalid events are skipped (reported to `onInvalid`); a
 * message with no valid trade is a ParseError (terminated, never retried).
 */
export function decodeTrades(msg: JsMsg, onInvalid: (err: ParseError) => void = () => {}): SequencedTrade[] {
  const texts = eventTexts(msg);
  const storedMs = Math.floor(msg.info.timestampNanos / 1e6);
  if (texts.length === 1) return [decodeOne(msg, texts[0]!, storedMs)];
  const out: SequencedTrade[] = [];
  let last: unknown;
  for (const text of texts) {
    try {
      out.push(decodeOne(msg, text, storedMs));
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      last = err;
      onInvalid(err);
    }
  }
  if (out.length === 0) throw new ParseError(`${msg.subject}: no valid trade`, { cause: last });
  return out;
}
