import type { FrameResult, ParseContext } from "../../adapter.ts";
import { isObject, sample } from "../wire/fields.ts";
import { notAnObject, parseJson, utf8Frame } from "../wire/frame-json.ts";
import { badField, ignoredFrozen } from "../wire/frame-results.ts";
import { hasPrefix, textsOf } from "../wire/json-text.ts";
import { scanBookFrame } from "./book-scan.ts";
import { argKey } from "./channels.ts";
import { parseBook, parseScannedBook } from "./parse-book.ts";
import { parseCandles } from "./parse-candle.ts";
import { parseDeriv, parseLiquidations } from "./parse-deriv.ts";
import { parseBbo, parseTickers, parseTrades } from "./parse-market.ts";
import { invalid } from "./results.ts";

/**
 * OKX v5 frames → normalized messages (spot, swaps and futures speak the same format). Never
 * throws: anything it cannot read comes back as `{ kind: "invalid", reason, detail }`.
 *
 * | frame                                              | result                                |
 * |----------------------------------------------------|---------------------------------------|
 * | text `pong`                                        | control pong                          |
 * | `{"event":"subscribe"/"unsubscribe","arg":..}`     | ack (id = request id, else `chan:id`) |
 * | `{"event":"error","code","msg"}`                   | error                                 |
 * | `{"event":"notice","code":"64008"}`                | control server-shutdown               |
 * | `trades`, `trades-all`                             | trade (side = taker side)             |
 * | `tickers`                                          | ticker                                |
 * | `bbo-tbt`                                          | bbo (seq = seqId)                     |
 * | `books`, `books-l2-tbt`, `books50-l2-tbt`, `books5`| book (seq = seqId, prevSeq = prevSeqId)|
 * | `candle<bar>` (UTC bars)                           | candle (closed = confirm)             |
 * | `mark-price`, `index-tickers`, `funding-rate`, `open-interest` | deriv (merged per market) |
 * | `liquidation-orders`                               | liquidation                           |
 * | other known channels and events                    | ignoredFrozen (`unsupported:<channel>`, …)  |
 */

/** How OKX's book pushes begin (books, books5, books-l2-tbt, books50-l2-tbt). */
const BOOK_FRAME = '{"arg":{"channel":"books';

/** The connection state's key of the book reader's strings (wire/json-text.ts RecurringTexts). */
const TEXTS = "texts";

const PONG: FrameResult = Object.freeze({ kind: "control", event: "pong" });
const SERVER_SHUTDOWN: FrameResult = Object.freeze({ kind: "control", event: "server-shutdown" });

/** Channels OKX has that carry nothing we normalize. */
const IGNORED_CHANNELS = new Set([
  "price-limit",
  "estimated-price",
  "opt-summary",
  "option-trades",
  "instruments",
  "status",
  "call-auction-details",
  "adl-warning",
  "economic-calendar",
  // not an OKX channel: tardis.dev's envelope around REST liquidation polls
  "liquidations",
]);

/** Events answered to requests we never send (login, private channel counts). */
const IGNORED_EVENTS = new Set(["login", "channel-conn-count", "channel-conn-count-error"]);

export function parseFrame(frame: string | Uint8Array, ctx: ParseContext): FrameResult {
  const text = utf8Frame(frame);
  if (text === "pong") return PONG;
  // book frames, most of a book feed's bytes, are read from the text when they can be (book-scan.ts);
  // OKX puts arg.channel first: other frames are not tried (a try costs ~5 % of a trades frame)
  if (hasPrefix(text, BOOK_FRAME)) {
    const book = scanBookFrame(text, textsOf(ctx.state, TEXTS));
    if (book !== undefined) return parseScannedBook(book, ctx);
  }
  const json = parseJson(text);
  if (!json.ok) return json.result;
  const msg = json.value;
  if (!isObject(msg)) return notAnObject(text);
  const event = msg.event;
  if (event !== undefined) return parseEvent(event, msg);
  const arg = msg.arg;
  if (!isObject(arg)) {
    return invalid(
      "invalid_shape",
      `no "event" and no "arg"; keys ${sample(Object.keys(msg).slice(0, 8).join(","))}`,
    );
  }
  const channel = arg.channel;
  if (typeof channel !== "string") return badField("frame", "arg.channel", channel);
  const data = msg.data;
  if (!Array.isArray(data)) return badField(channel, "data", data);
  if (data.length === 0) return invalid("invalid_shape", `${channel}: empty "data"`);
  switch (channel) {
    case "trades":
    case "trades-all":
      return parseTrades(channel, data, ctx);
    case "tickers":
      return parseTickers(data, ctx);
    case "bbo-tbt":
      return parseBbo(arg.instId, data, ctx);
    case "books":
    case "books5":
    case "books-l2-tbt":
    case "books50-l2-tbt":
      return parseBook(channel, msg.action, arg.instId, data, ctx);
    case "mark-price":
    case "index-tickers":
    case "funding-rate":
    case "open-interest":
      return parseDeriv(channel, data, ctx);
    case "liquidation-orders":
      return parseLiquidations(data, ctx);
  }
  if (channel.startsWith("candle")) return parseCandles(channel, arg.instId, data, ctx);
  if (
    IGNORED_CHANNELS.has(channel) ||
    channel.startsWith("mark-price-candle") ||
    channel.startsWith("index-candle")
  ) {
    return ignoredFrozen(`unsupported:${channel}`);
  }
  return invalid("unknown_channel", `unknown channel ${sample(channel, 40)}`);
}

function requestId(msg: Record<string, unknown>): string | number | null {
  const id = msg.id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

function parseEvent(event: unknown, msg: Record<string, unknown>): FrameResult {
  switch (event) {
    case "subscribe":
    case "unsubscribe": {
      const arg = msg.arg;
      if (!isObject(arg)) return badField(event, "arg", arg);
      return { kind: "ack", id: requestId(msg) ?? argKey(arg as { channel: string }) };
    }
    case "error": {
      const text = typeof msg.msg === "string" ? msg.msg : sample(msg.msg);
      return {
        kind: "error",
        id: requestId(msg),
        message: msg.code === undefined ? text : `${text} (code ${sample(msg.code, 20)})`,
      };
    }
    case "notice":
      // 64008: "The connection will soon be closed for a service upgrade. Please reconnect."
      return msg.code === "64008" ? SERVER_SHUTDOWN : ignoredFrozen(`notice:${sample(msg.code, 20)}`);
  }
  if (typeof event === "string" && IGNORED_EVENTS.has(event)) return ignoredFrozen(`event:${event}`);
  return invalid("unknown_event", `unknown event ${sample(event, 40)}`);
}
