import type { Level } from "../../schemas/messages.ts";
import { JsonText } from "../wire/json-text.ts";

/**
 * A fast path for Bybit's `orderbook.<depth>.<S>` frames: read from their text (wire/json-text.ts)
 * instead of JSON.parse, which makes a string per price and size and an array per level that the
 * levels then convert. It gives up (undefined) on anything it does not take whole — a repeated
 * key, a value of another shape than the JSON way accepts for it, a level that is not two decimal
 * strings, a string with an escape, bad JSON — and the frame then goes the JSON.parse way, whose
 * checks (orderbook.ts) see the same values. Unknown keys are read and dropped, as there.
 */

export interface ScannedOrderbook {
  /** A slice of the frame: look it up, do not keep it. */
  topic: string;
  type: unknown;
  ts: unknown;
  /** `data.s`; undefined when the frame has none. */
  s: unknown;
  u: unknown;
  bids: Level[];
  asks: Level[];
}

const j = new JsonText();

/** An orderbook frame read whole, or undefined: then it goes the general way. */
export function scanOrderbookFrame(text: string): ScannedOrderbook | undefined {
  return j.read(text, undefined, frame);
}

const TOPIC = 1;
const TYPE = 2;
const TS = 4;
const DATA = 8;

function frame(): ScannedOrderbook | undefined {
  if (!j.token(123)) return undefined;
  const out: ScannedOrderbook = {
    topic: "",
    type: undefined,
    ts: undefined,
    s: undefined,
    u: undefined,
    bids: [],
    asks: [],
  };
  let seen = 0;
  do {
    if (!j.nextKey()) return undefined;
    let bit = 0;
    if (j.keyIs("topic")) {
      bit = TOPIC;
      const topic = j.slice();
      if (topic === undefined) return undefined;
      out.topic = topic;
    } else if (j.keyIs("type")) {
      bit = TYPE;
      if (!j.scalar()) return undefined;
      out.type = j.value;
    } else if (j.keyIs("ts")) {
      bit = TS;
      if (!j.scalar()) return undefined;
      out.ts = j.value;
    } else if (j.keyIs("data")) {
      bit = DATA;
      if (!readData(out)) return undefined;
    } else if (!j.skipValue()) return undefined;
    if ((seen & bit) !== 0) return undefined; // a repeated key: JSON.parse keeps the last
    seen |= bit;
  } while (j.more(125));
  if (j.p === -1 || (seen & (TOPIC | DATA)) !== (TOPIC | DATA) || !j.atEnd()) return undefined;
  return out;
}

/** `data`: `{s, b, a, u, ...}` with both sides. */
function readData(out: ScannedOrderbook): boolean {
  if (!j.token(123) || j.peek(125)) return false;
  let seen = 0;
  do {
    if (!j.nextKey()) return false;
    let bit = 0;
    if (j.keyIs("s")) {
      bit = 1;
      if (!j.scalar()) return false;
      out.s = j.value;
    } else if (j.keyIs("b") || j.keyIs("a")) {
      bit = j.keyIs("b") ? 2 : 4;
      const side = j.side(false);
      if (side === null) return false;
      if (bit === 2) out.bids = side;
      else out.asks = side;
    } else if (j.keyIs("u")) {
      bit = 8;
      if (!j.scalar()) return false;
      out.u = j.value;
    } else if (!j.skipValue()) return false;
    if ((seen & bit) !== 0) return false;
    seen |= bit;
  } while (j.more(125));
  return j.p !== -1 && (seen & 6) === 6;
}
