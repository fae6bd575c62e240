import type { JsMsg } from "@nats-io/jetstream";
import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { MESSAGE_SCHEMAS, type MessageType, type NormalizedMessage, ParseError } from "@tickerplant/core";

/** A decoded message with its JetStream stream sequence (recorded next to the latest state). */
export interface Envelope<T extends NormalizedMessage> {
  seq: number;
  msg: T;
}

type Of<K extends MessageType> = Extract<NormalizedMessage, { type: K }>;

/**
 * Builds a decoder accepting the given message types. JSON that does not parse, or does not match
 * its type's schema (compiled once), is a ParseError: BatchConsumer terminates that message alone.
 */
export function decoderFor<K extends MessageType>(...types: K[]): (m: JsMsg) => Envelope<Of<K>> {
  const checks = new Map(
    types.map((t) => [t as string, TypeCompiler.Compile(MESSAGE_SCHEMAS[t] as TSchema)]),
  );
  return (m) => {
    let value: unknown;
    try {
      value = m.json();
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
}
