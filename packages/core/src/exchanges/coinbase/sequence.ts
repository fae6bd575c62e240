import type { ParseContext, SequenceGap } from "../../adapter.ts";
import type { Book, Level } from "../../schemas/messages.ts";
import { symbolState } from "../wire/symbol-state.ts";
import { EXCHANGE } from "./results.ts";
import { toMicros } from "./time.ts";

/**
 * Advanced Trade numbers every message of a connection (`sequence_num`, from 0, across all
 * channels). A jump means the server dropped messages: which product and channel lost what cannot
 * be known, so the gap is reported for the whole connection and every book chain on it is cut.
 * Parser state lives in the caller's per-connection map.
 */

const SEQ = "cb:seq";
/** Per product: the seq of the last book message on this connection (see bookSeq). */
const BOOK = "cb:book";

/** Records `seq`; returns the missing range when it is not the next number. */
export function trackSequence(state: Map<string, unknown>, seq: number): SequenceGap | undefined {
  const last = state.get(SEQ) as number | undefined;
  if (last !== undefined && seq <= last) {
    // numbering restarted: a new connection in a recording fed through one state (CLI normalize)
    if (seq === 0) {
      state.clear();
      state.set(SEQ, 0);
    }
    // otherwise a repeat or a reordering: nothing lost
    return undefined;
  }
  state.set(SEQ, seq);
  const expected = last === undefined ? 0 : last + 1;
  if (seq === expected) return undefined;
  state.delete(BOOK);
  return { fromSeq: expected, toSeq: seq - 1 };
}

/**
 * The normalized book sequence of a product's book message. Coinbase's own `sequence_num` restarts
 * at 0 on every connection, so it cannot identify a book message (message ids would collide after a
 * reconnect); instead seq is the exchange's event time in µs, forced to increase per product on the
 * connection. A delta's prevSeq is the seq of the product's previous book message on this
 * connection: null for a snapshot, and for a delta after a sequence gap or without a snapshot.
 */
export function bookSeq(
  state: Map<string, unknown>,
  product: string,
  micros: number,
  snapshot: boolean,
): { seq: number; prevSeq: number | null } {
  const chains = symbolState<number>(state, BOOK);
  const last = chains.get(product);
  const seq = last !== undefined && micros <= last ? last + 1 : micros;
  chains.set(product, seq);
  return { seq, prevSeq: snapshot ? null : (last ?? null) };
}

/** A product's book message (snapshot or delta), sequenced by bookSeq on the connection's state. */
export function sequencedBook(
  ctx: ParseContext,
  market: string,
  product: string,
  ts: number,
  snapshot: boolean,
  bids: Level[],
  asks: Level[],
): Book {
  const { seq, prevSeq } = bookSeq(ctx.state, product, toMicros(ts), snapshot);
  return {
    type: "book",
    exchange: EXCHANGE,
    market,
    symbol: product,
    ts,
    recvTs: ctx.recvTs,
    kind: snapshot ? "snapshot" : "delta",
    seq,
    prevSeq,
    bids,
    asks,
  };
}
