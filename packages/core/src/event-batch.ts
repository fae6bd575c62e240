import { ParseError } from "./errors.ts";

/**
 * Several events per JetStream message (docs/architecture.md, "Event batches").
 *
 * A message on an `md.*` subject whose `Tp-Events` header is `1` carries one or more normalized
 * messages of that subject as JSON texts separated by `\n` (NDJSON: JSON.stringify never writes a
 * raw newline). Events keep their stream order and their own deterministic id (`messageId`). A
 * message without the header is a single JSON event (the format before batching, still accepted).
 * Any other header value is a format this decoder does not know: a ParseError, never a guess.
 */
export const EVENTS_HEADER = "Tp-Events";
export const EVENTS_VERSION = "1";
/** Most events one message carries (a publisher splits larger groups). */
export const MAX_EVENTS_PER_MESSAGE = 1000;

const NEWLINE = 10;
const decoder = new TextDecoder();

/** The message body for events of one subject, in order. */
export function encodeEvents(jsonTexts: readonly string[]): string {
  return jsonTexts.join("\n");
}

/**
 * The JSON texts of the events in a message body. `version` is the `Tp-Events` header value
 * (undefined when absent: one event). Empty lines are ignored.
 */
export function decodeEvents(body: Uint8Array | string, version: string | undefined): string[] {
  const text = typeof body === "string" ? body : decoder.decode(body);
  if (version === undefined || version === "") return [text];
  if (version !== EVENTS_VERSION) {
    throw new ParseError(`unsupported ${EVENTS_HEADER} format version ${JSON.stringify(version)}`);
  }
  if (typeof body !== "string" && body.indexOf(NEWLINE) < 0) return [text];
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    const line = nl < 0 ? text.slice(start) : text.slice(start, nl);
    if (line.length > 0) out.push(line);
    if (nl < 0) return out;
    start = nl + 1;
  }
}

/**
 * The Nats-Msg-Id of a message carrying these events (their `messageId`s, in order). One event
 * keeps its own id, so a single event deduplicates exactly as before batching. Several events get
 * their first id, the count and a hash of all ids: a retried publish of the same batch is
 * deduplicated by the server; a differently grouped batch of the same events (a redundant
 * ingestor) is not, and consumers drop the repeated events by id (RecentEventIds).
 */
export function batchMessageId(eventIds: readonly string[]): string {
  if (eventIds.length === 1) return eventIds[0]!;
  const hash = Bun.hash.wyhash(eventIds.join("\n")).toString(36);
  return `${eventIds[0]}+${eventIds.length}:${hash}`;
}

/**
 * The consumers' half of the dedup rule: remembers the last `capacity` event ids per key (a
 * subject or market) and reports whether an id is new. Two ingestors of the same market publish
 * the same events within seconds of each other, so a window of a few thousand events per market
 * catches every repeat while keeping memory bounded.
 */
export class RecentEventIds {
  private readonly byKey = new Map<string, { ids: Set<string>; order: string[]; head: number }>();

  constructor(private readonly capacity = 4096) {}

  /** True the first time an id is seen for the key (within the window). */
  firstSeen(key: string, id: string): boolean {
    let w = this.byKey.get(key);
    if (!w) {
      w = { ids: new Set(), order: [], head: 0 };
      this.byKey.set(key, w);
    }
    if (w.ids.has(id)) return false;
    if (w.order.length < this.capacity) w.order.push(id);
    else {
      w.ids.delete(w.order[w.head]!);
      w.order[w.head] = id;
      w.head = (w.head + 1) % this.capacity;
    }
    w.ids.add(id);
    return true;
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }

  get keys(): number {
    return this.byKey.size;
  }
}

/** Positions per message: an event's place in a stream is `seq * POSITIONS_PER_MESSAGE + index`. */
export const POSITIONS_PER_MESSAGE = 1024;

/** A number ordering events across and within messages (index < MAX_EVENTS_PER_MESSAGE). */
export function eventPosition(seq: number, index: number): number {
  return seq * POSITIONS_PER_MESSAGE + index;
}

/** The position of a message's last possible event: "everything up to and including message seq". */
export function messageEndPosition(seq: number): number {
  return seq * POSITIONS_PER_MESSAGE + POSITIONS_PER_MESSAGE - 1;
}
