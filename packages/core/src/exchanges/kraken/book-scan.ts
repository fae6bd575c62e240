import type { Level } from "../../schemas/messages.ts";
import { JsonText, type RecurringTexts } from "../wire/json-text.ts";
import type { ExactLevel } from "./checksum.ts";
import { epochSecondsMsAt } from "./time.ts";

/**
 * A fast path for Kraken v1 book frames (`[id, {as, bs} | {a}, ({b, c},)? "book-N", pair]`): read
 * from their text (wire/json-text.ts) instead of JSON.parse, which makes three strings and an array
 * per level that the levels then convert. It gives up (undefined) on anything it does not take
 * whole — another channel, a null or other payload element, an empty payload, a key other than
 * as/bs/a/b/c or one seen twice, a level that is not three strings (decimal price and volume, an
 * epoch time), a string with an escape, bad JSON — and the frame then goes the JSON.parse way with
 * the same checks (parse-v1.ts).
 */

/** One side as parse-v1's bookLevels gives it. */
export interface ScannedSide {
  levels: Level[];
  exact: ExactLevel[];
  /** The latest level time (epoch ms), 0 without levels. */
  latest: number;
}

export interface ScannedBook {
  channel: string;
  pair: string;
  /** A snapshot's keys (as/bs) were seen. */
  snapshot: boolean;
  bids: ScannedSide | undefined;
  asks: ScannedSide | undefined;
  /** `c` as read; undefined without one. */
  checksum: unknown;
}

const j = new JsonText();

/** A v1 book frame read whole, or undefined: then it goes the general way. `texts`: the connection's. */
export function scanV1BookFrame(text: string, texts: RecurringTexts): ScannedBook | undefined {
  return j.read(text, texts, frame);
}

function frame(): ScannedBook | undefined {
  if (!j.token(91) || !j.skipValue() || !j.more(93)) return undefined; // the channel id
  const out: ScannedBook = {
    channel: "",
    pair: "",
    snapshot: false,
    bids: undefined,
    asks: undefined,
    checksum: undefined,
  };
  let parts = 0;
  // payload objects, then the channel name and the pair
  while (j.peek(123)) {
    if (!readPart(out)) return undefined;
    parts++;
    if (!j.more(93)) return undefined;
  }
  if (parts === 0) return undefined;
  const channel = j.string();
  if (channel === undefined || !channel.startsWith("book-") || !j.more(93)) return undefined;
  const pair = j.string();
  if (pair === undefined || j.more(93) || j.p === -1 || !j.atEnd()) return undefined;
  out.channel = channel;
  out.pair = pair;
  return out;
}

/** One payload object into `out`; false when it is not taken. */
function readPart(out: ScannedBook): boolean {
  if (!j.token(123) || j.peek(125)) return false;
  do {
    if (!j.nextKey()) return false;
    if (j.keyIs("c")) {
      if (out.checksum !== undefined || !j.scalar() || j.value === undefined) return false;
      out.checksum = j.value;
      continue;
    }
    const snapshot = j.keyIs("as") || j.keyIs("bs");
    const asks = j.keyIs("as") || j.keyIs("a");
    if (!snapshot && !asks && !j.keyIs("b")) return false;
    if ((asks ? out.asks : out.bids) !== undefined) return false;
    const side = readSide();
    if (side === undefined) return false;
    if (snapshot) out.snapshot = true;
    if (asks) out.asks = side;
    else out.bids = side;
  } while (j.more(125));
  return j.p !== -1;
}

function readSide(): ScannedSide | undefined {
  const from = j.used;
  const thirds = j.thirdsUsed;
  const levels = j.side(true, true);
  if (levels === null) return undefined;
  let latest = 0;
  const s = j.text;
  for (let k = thirds; k < j.thirdsUsed; k++) {
    const t = epochSecondsMsAt(s, j.thirdAt(k, 0), j.thirdAt(k, 1));
    if (Number.isNaN(t)) return undefined;
    if (t > latest) latest = t;
  }
  return { levels, exact: j.exactOf(from, j.used), latest };
}
