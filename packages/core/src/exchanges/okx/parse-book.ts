import type { FrameResult, ParseContext } from "../../adapter.ts";
import type { Book, Level, MarketMessage } from "../../schemas/messages.ts";
import { int, isObject, levels } from "../wire/fields.ts";
import { badField, ignoredFrozen, unknownSymbol } from "../wire/frame-results.ts";
import type { ScannedBook } from "./book-scan.ts";
import { epochMs } from "./fields.ts";
import { EXCHANGE } from "./results.ts";

/**
 * `books` / `books-l2-tbt` / `books50-l2-tbt` (action snapshot | update) and `books5` (every push a
 * snapshot). seq = seqId, prevSeq = prevSeqId on updates (continuity: prevSeqId == last seqId);
 * recordings from before seqId existed fall back to seq = ts, prevSeq = null (their continuity is
 * the checksum). A non-zero checksum is carried with the exact strings; 0 (production since
 * 2026-06-23) is dropped. An update with no levels and seqId == prevSeqId is OKX's keepalive.
 *
 * Two ways in, one result: parseBook reads the frame's JSON value; parseScannedBook what
 * book-scan.ts read from its text (levels already numbers). Both check the row's fields in the
 * same order and build the message in bookOf.
 */

type ExactLevels = { bids: [string, string][]; asks: [string, string][] };

const HEARTBEAT: FrameResult = Object.freeze({ kind: "control", event: "heartbeat" });
/** bookOf's answer for OKX's keepalive. */
const KEEPALIVE = null;

function bookKind(channel: string, action: unknown): Book["kind"] | undefined {
  if (channel === "books5" || action === "snapshot") return "snapshot";
  return action === "update" ? "delta" : undefined;
}

const isChecksum = (v: unknown): boolean => v === undefined || Number.isSafeInteger(v);
const keepsExact = (checksum: unknown): boolean => checksum !== undefined && checksum !== 0;

/** The row's message, KEEPALIVE, or the result naming its bad sequence field. */
function bookOf(
  channel: string,
  kind: Book["kind"],
  market: string,
  instId: string,
  ts: number,
  checksum: unknown,
  exact: ExactLevels | undefined,
  bids: Level[],
  asks: Level[],
  seqId: unknown,
  prevSeqId: unknown,
  recvTs: number,
): Book | FrameResult | typeof KEEPALIVE {
  let seq = ts;
  let prevSeq: number | null = null;
  if (seqId !== undefined) {
    seq = int(seqId);
    if (Number.isNaN(seq)) return badField(channel, "seqId", seqId);
    if (kind === "delta") {
      prevSeq = int(prevSeqId);
      if (Number.isNaN(prevSeq)) return badField(channel, "prevSeqId", prevSeqId);
      if (prevSeq === seq && bids.length === 0 && asks.length === 0) return KEEPALIVE;
    }
  }
  const msg: Book = {
    type: "book",
    exchange: EXCHANGE,
    market,
    symbol: instId,
    ts,
    recvTs,
    kind,
    seq,
    prevSeq,
    bids,
    asks,
  };
  if (exact) {
    msg.checksum = checksum as number;
    msg.exact = exact;
  }
  return msg;
}

const isMessage = (m: Book | FrameResult): m is Book => (m as Book).type === "book";

/** One row read: what `bookOf` needs. */
interface BookRow {
  ts: number;
  checksum: unknown;
  exact: ExactLevels | undefined;
  bids: Level[];
  asks: Level[];
  seqId: unknown;
  prevSeqId: unknown;
}

/** The rows' books in order; a keepalive row alone is the frame's heartbeat, among others skipped. */
function booksOf<R>(
  channel: string,
  kind: Book["kind"],
  market: string,
  instId: string,
  rows: readonly R[],
  recvTs: number,
  read: (row: R) => BookRow | FrameResult,
): FrameResult {
  const out: MarketMessage[] = [];
  for (const row of rows) {
    const r = read(row);
    if ("kind" in r) return r;
    const m = bookOf(
      channel,
      kind,
      market,
      instId,
      r.ts,
      r.checksum,
      r.exact,
      r.bids,
      r.asks,
      r.seqId,
      r.prevSeqId,
      recvTs,
    );
    if (m === KEEPALIVE) {
      if (rows.length === 1) return HEARTBEAT;
      continue;
    }
    if (!isMessage(m)) return m;
    out.push(m);
  }
  return out.length === 0 ? ignoredFrozen("empty:books") : { kind: "data", messages: out };
}

export function parseBook(
  channel: string,
  action: unknown,
  instId: unknown,
  rows: unknown[],
  ctx: ParseContext,
): FrameResult {
  if (typeof instId !== "string") return badField(channel, "arg.instId", instId);
  const market = ctx.marketOf(instId);
  if (market === undefined) return unknownSymbol(channel, instId, "instId");
  const kind = bookKind(channel, action);
  if (kind === undefined) return badField(channel, "action", action);
  return booksOf(channel, kind, market, instId, rows, ctx.recvTs, (r) => {
    if (!isObject(r)) return badField(channel, "data[]", r);
    const ts = epochMs(r.ts);
    if (Number.isNaN(ts)) return badField(channel, "ts", r.ts);
    const checksum = r.checksum;
    if (!isChecksum(checksum)) return badField(channel, "checksum", checksum);
    const exact: ExactLevels | undefined = keepsExact(checksum) ? { bids: [], asks: [] } : undefined;
    const bids = levels(r.bids, exact?.bids);
    if (bids === null) return badField(channel, "bids", r.bids);
    const asks = levels(r.asks, exact?.asks);
    if (asks === null) return badField(channel, "asks", r.asks);
    return { ts, checksum, exact, bids, asks, seqId: r.seqId, prevSeqId: r.prevSeqId };
  });
}

export function parseScannedBook(b: ScannedBook, ctx: ParseContext): FrameResult {
  const { channel, instId } = b;
  const market = ctx.marketOf(instId);
  if (market === undefined) return unknownSymbol(channel, instId, "instId");
  const kind = bookKind(channel, b.action);
  if (kind === undefined) return badField(channel, "action", b.action);
  return booksOf(channel, kind, market, instId, b.rows, ctx.recvTs, (r) => {
    const ts = epochMs(r.ts);
    if (Number.isNaN(ts)) return badField(channel, "ts", r.ts);
    const checksum = r.checksum;
    if (!isChecksum(checksum)) return badField(channel, "checksum", checksum);
    const exact = keepsExact(checksum) ? r.exact : undefined;
    return { ts, checksum, exact, bids: r.bids, asks: r.asks, seqId: r.seqId, prevSeqId: r.prevSeqId };
  });
}
