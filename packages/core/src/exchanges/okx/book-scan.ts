import type { Level } from "../../schemas/messages.ts";
import { JsonText, type RecurringTexts } from "../wire/json-text.ts";

/**
 * A fast path for OKX's book frames (`books`, `books5`, `books-l2-tbt`, `books50-l2-tbt`): read
 * from their text (wire/json-text.ts) instead of JSON.parse and the levels (together ~75 % of a
 * book frame; this pass costs less than JSON.parse alone). It gives up (undefined) on anything it
 * does not take whole — another channel or an event, a repeated key, a level that is not two
 * decimal strings, a string with an escape, bad JSON — and the frame then goes the JSON.parse way
 * with the same checks. Unknown keys are read and dropped, as the general path ignores them.
 */

export interface ScannedRow {
  ts: unknown;
  checksum: unknown;
  seqId: unknown;
  prevSeqId: unknown;
  bids: Level[];
  asks: Level[];
  /** The levels' own strings, kept when the row carries a non-zero checksum number. */
  exact: { bids: [string, string][]; asks: [string, string][] } | undefined;
}

export interface ScannedBook {
  channel: string;
  instId: string;
  /** undefined when the frame has none (as `msg.action` would be). */
  action: unknown;
  rows: ScannedRow[];
}

const BOOK_CHANNELS: ReadonlySet<string> = new Set(["books", "books5", "books-l2-tbt", "books50-l2-tbt"]);

const j = new JsonText();

/** A book frame read whole, or undefined: then it goes the general way. `texts`: the connection's. */
export function scanBookFrame(text: string, texts: RecurringTexts): ScannedBook | undefined {
  return j.read(text, texts, frame);
}

function frame(): ScannedBook | undefined {
  if (!j.token(123)) return undefined;
  const arg = { channel: "", instId: "" };
  let action: unknown;
  let rows: ScannedRow[] | undefined;
  let seen = 0;
  do {
    if (!j.nextKey()) return undefined;
    let bit = 0;
    if (j.keyIs("arg")) {
      bit = 1;
      if (!readArg(arg)) return undefined;
    } else if (j.keyIs("action")) {
      bit = 2;
      if (!j.scalar()) return undefined;
      action = j.value;
    } else if (j.keyIs("data")) {
      bit = 4;
      rows = readRows();
      if (rows === undefined) return undefined;
    } else if (j.keyIs("event")) return undefined;
    else if (!j.skipValue()) return undefined;
    if ((seen & bit) !== 0) return undefined; // a repeated key: JSON.parse keeps the last
    seen |= bit;
  } while (j.more(125));
  if (j.p === -1 || (seen & 5) !== 5 || !j.atEnd()) return undefined;
  return { channel: arg.channel, instId: arg.instId, action, rows: rows! };
}

/** `arg`: a book channel and an instId (strings); false otherwise. */
function readArg(out: { channel: string; instId: string }): boolean {
  if (!j.token(123) || j.peek(125)) return false;
  let seen = 0;
  do {
    if (!j.nextKey()) return false;
    const bit = j.keyIs("channel") ? 1 : j.keyIs("instId") ? 2 : 0;
    if (bit !== 0) {
      if ((seen & bit) !== 0) return false;
      seen |= bit;
      const v = j.string();
      if (v === undefined) return false;
      if (bit === 2) out.instId = v;
      else if (BOOK_CHANNELS.has(v)) out.channel = v;
      else return false;
    } else if (!j.skipValue()) return false;
  } while (j.more(125));
  return j.p !== -1 && seen === 3;
}

/** `data`: a non-empty array of rows. */
function readRows(): ScannedRow[] | undefined {
  if (!j.token(91)) return undefined;
  const rows: ScannedRow[] = [];
  do {
    const r = readRow();
    if (r === null) return undefined;
    rows.push(r);
  } while (j.more(93));
  return j.p === -1 ? undefined : rows;
}

function readRow(): ScannedRow | null {
  if (!j.token(123) || j.peek(125)) return null;
  let ts: unknown;
  let checksum: unknown;
  let seqId: unknown;
  let prevSeqId: unknown;
  let bids: Level[] | null = null;
  let asks: Level[] | null = null;
  let bidsFrom = 0;
  let bidsTo = 0;
  let asksFrom = 0;
  let asksTo = 0;
  let seen = 0;
  do {
    if (!j.nextKey()) return null;
    let bit = 0;
    if (j.keyIs("asks")) {
      bit = 1;
      asksFrom = j.used;
      asks = j.side(true);
      if (asks === null) return null;
      asksTo = j.used;
    } else if (j.keyIs("bids")) {
      bit = 2;
      bidsFrom = j.used;
      bids = j.side(true);
      if (bids === null) return null;
      bidsTo = j.used;
    } else if (j.keyIs("ts")) {
      bit = 4;
      if (!j.scalar()) return null;
      ts = j.value;
    } else if (j.keyIs("checksum")) {
      bit = 8;
      if (!j.scalar()) return null;
      checksum = j.value;
    } else if (j.keyIs("seqId")) {
      bit = 16;
      if (!j.scalar()) return null;
      seqId = j.value;
    } else if (j.keyIs("prevSeqId")) {
      bit = 32;
      if (!j.scalar()) return null;
      prevSeqId = j.value;
    } else if (!j.skipValue()) return null;
    if ((seen & bit) !== 0) return null;
    seen |= bit;
  } while (j.more(125));
  if (j.p === -1 || bids === null || asks === null) return null;
  // the strings are kept only where a checksum will be verified on them
  const exact =
    typeof checksum === "number" && checksum !== 0
      ? { bids: j.exactOf(bidsFrom, bidsTo), asks: j.exactOf(asksFrom, asksTo) }
      : undefined;
  return { ts, checksum, seqId, prevSeqId, bids, asks, exact };
}
