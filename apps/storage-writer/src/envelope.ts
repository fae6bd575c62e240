import type { JsMsg } from "@nats-io/jetstream";
import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { MESSAGE_SCHEMAS, type MessageType, type NormalizedMessage, ParseError } from "@tickerplant/core";
import { eventTexts } from "@tickerplant/runtime";

/**
 * A decoded event with the JetStream stream sequence of the message that carried it (recorded
 * next to the latest state). Events of one message share the sequence and come in stream order.
 */
export interface Envelope<T extends NormalizedMessage> {
  seq: number;
  msg: T;
}

type Of<K extends MessageType> = Extract<NormalizedMessage, { type: K }>;

/**
 * Builds a decoder of the events of one message, accepting the given message types. An event whose
 * JSON does not parse, or does not match its type's schema (compiled once), is skipped and reported
 * to `onInvalid`; when no event of a message is valid the message is a ParseError (BatchConsumer
 * terminates that message alone).
 */
export function decoderFor<K extends MessageType>(
  types: K[],
  onInvalid: (err: ParseError, m: JsMsg) => void = () => {},
): (m: JsMsg) => Envelope<Of<K>>[] {
  const checks = new Map(
    types.map((t) => [t as string, TypeCompiler.Compile(MESSAGE_SCHEMAS[t] as TSchema)]),
  );
  const one = (m: JsMsg, text: string): Envelope<Of<K>> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new ParseError(`${m.subject}: not JSON`, { cause });
    }
    const type = (value as { type?: unknown } | null)?.type;
    const check = typeof type === "string" ? checks.get(type) : undefined;
    if (!check) throw new ParseError(`${m.subject}: unexpected message type ${JSON.stringify(type)}`);
    if (!check.Check(value)) {
      const first = check.Errors(value).First();
      throw new ParseError(
        `${m.subject}: invalid ${type} (${first ? `${first.path}: ${first.message}` : "schema"})`,
      );
    }
    return { seq: m.seq, msg: value as Of<K> };
  };
  return (m) => {
    const texts = eventTexts(m);
    if (texts.length === 1) return [one(m, texts[0]!)];
    const out: Envelope<Of<K>>[] = [];
    let last: unknown;
    for (const text of texts) {
      try {
        out.push(one(m, text));
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        last = err;
        onInvalid(err, m);
      }
    }
    if (out.length === 0) throw new ParseError(`${m.subject}: no valid event`, { cause: last });
    return out;
  };
}
