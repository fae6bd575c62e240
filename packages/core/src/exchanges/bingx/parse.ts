import type { FrameResult, ParseContext } from "../../adapter.ts";
import { isObject, sample } from "../wire/fields.ts";
import { notAnObject, parseJson } from "../wire/frame-json.ts";
import { ignored } from "../wire/frame-results.ts";
import { frameText } from "./decode.ts";
import { parseIncrDepth, parsePartialDepth } from "./parse-books.ts";
import { parseKline } from "./parse-candles.ts";
import { parseBookTicker, parseMarkPrice, parseTicker } from "./parse-quotes.ts";
import { parseTrades } from "./parse-trades.ts";
import { invalid } from "./results.ts";
import type { BingxVenue } from "./streams.ts";
import type { Topic } from "./topic.ts";

/**
 * BingX frames → normalized messages. Frames are gzip binary (decoded here), or text.
 *
 * | frame                                               | result                                  |
 * |-----------------------------------------------------|-----------------------------------------|
 * | `Ping` (swap heartbeat, any case/whitespace)        | reply `Pong`                            |
 * | `{"ping":id,"time":t}` (spot heartbeat)             | reply `{"pong":id,"time":t}`            |
 * | `{"code":0,"id":..}` without a dataType (sub ack)   | ack                                     |
 * | `{"code":≠0,"msg":..}`                              | error                                   |
 * | `{"code":0,"dataType":"<sym>@trade","data":..}`     | trades (swap: array, oldest first out)  |
 * | `@bookTicker` / `@ticker` / `@kline_*`              | bbo / ticker / candles (closed derived) |
 * | `@incrDepth`                                        | book snapshot ("all") / delta ("update")|
 * | `@depth<N>[@<ms>]`                                  | book snapshot                           |
 * | `@markPrice` (swap)                                 | deriv (mark price only)                 |
 * | `@lastPrice`, `all@...`                             | ignored                                 |
 */

const PONG: FrameResult = Object.freeze({ kind: "reply", frame: "Pong" });
const PONG_RECEIVED: FrameResult = Object.freeze({ kind: "control", event: "pong" });
const IGNORED_LAST_PRICE = ignored("unsupported:lastPrice");
const IGNORED_ALL = ignored("unsupported:allSymbols");
const PARTIAL_DEPTH = /^depth[0-9]+(@[0-9]+ms)?$/;

export function createParser(
  venue: BingxVenue,
): (frame: string | Uint8Array, ctx: ParseContext) => FrameResult {
  return (frame, ctx) => parseFrame(venue, frame, ctx);
}

function parseFrame(venue: BingxVenue, frame: string | Uint8Array, ctx: ParseContext): FrameResult {
  const decoded = frameText(frame);
  if (!decoded.ok) return invalid("bad_gzip", decoded.detail);
  const text = decoded.text;
  // the swap heartbeat is bare text; match it loosely (third-party clients broke on variants)
  if (text.length <= 16) {
    const word = text.trim().toLowerCase();
    if (word === "ping") return PONG;
    if (word === "pong") return PONG_RECEIVED;
  }
  const json = parseJson(text);
  if (!json.ok) return json.result;
  const msg = json.value;
  if (!isObject(msg)) return notAnObject(text);
  if (msg.ping !== undefined) return heartbeatReply(msg);
  if (msg.pong !== undefined) return PONG_RECEIVED;
  const code = msg.code;
  if (code !== undefined && code !== 0 && code !== "0") {
    const text = typeof msg.msg === "string" && msg.msg.length > 0 ? msg.msg : "error";
    return { kind: "error", id: requestId(msg.id), message: `${text} (code ${sample(code, 20)})` };
  }
  const dataType = msg.dataType;
  if (typeof dataType === "string" && dataType.length > 0) return parseData(venue, dataType, msg, ctx);
  if (msg.id !== undefined) return { kind: "ack", id: requestId(msg.id) };
  return invalid("invalid_shape", `no dataType, id or heartbeat; keys ${sample(Object.keys(msg).join(","))}`);
}

/** The spot heartbeat's answer echoes its id and time. */
function heartbeatReply(msg: Record<string, unknown>): FrameResult {
  return { kind: "reply", frame: JSON.stringify({ pong: msg.ping, time: msg.time }) };
}

function requestId(id: unknown): string | number | null {
  return typeof id === "number" || typeof id === "string" ? id : null;
}

function parseData(
  venue: BingxVenue,
  dataType: string,
  msg: Record<string, unknown>,
  ctx: ParseContext,
): FrameResult {
  const at = dataType.indexOf("@");
  if (at <= 0) return invalid("unknown_stream", `dataType ${sample(dataType, 40)}`);
  const symbol = dataType.slice(0, at);
  const stream = dataType.slice(at + 1);
  if (symbol === "all") return IGNORED_ALL;
  const data = msg.data;
  if (data === null || data === undefined) return ignored(`empty:${stream}`);
  const t: Topic = { venue, symbol, stream, frame: msg, ctx };
  switch (stream) {
    case "trade":
      return parseTrades(data, t);
    case "bookTicker":
      return parseBookTicker(data, t);
    case "ticker":
      return parseTicker(data, t);
    case "incrDepth":
      return parseIncrDepth(data, t);
    case "lastPrice":
      return IGNORED_LAST_PRICE;
    case "markPrice":
      if (venue === "swap") return parseMarkPrice(data, t);
      break;
    default:
      if (stream.startsWith("kline_")) return parseKline(data, t);
      if (PARTIAL_DEPTH.test(stream)) return parsePartialDepth(data, t);
  }
  return invalid("unknown_stream", `${venue} dataType ${sample(dataType, 40)}`);
}
