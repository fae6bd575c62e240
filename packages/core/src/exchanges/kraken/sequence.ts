import { symbolState } from "../wire/symbol-state.ts";

/**
 * Kraken books have no sequence numbers; continuity is proven by the checksum. Normalized books
 * still need `seq` (message ids, ordering) and `prevSeq` (to chain deltas): seq is the message's
 * exchange time in integer microseconds, forced to increase per symbol on a connection, and a
 * delta's prevSeq is the seq of the book message before it on the same connection (null for a
 * snapshot, and for a delta with no snapshot before it since the connection opened).
 */
export function bookSequence(
  state: Map<string, unknown>,
  symbol: string,
  micros: number,
  snapshot: boolean,
): { seq: number; prevSeq: number | null } {
  const chains = symbolState<number>(state, "book");
  const last = chains.get(symbol);
  const seq = last !== undefined && micros <= last ? last + 1 : micros;
  chains.set(symbol, seq);
  return { seq, prevSeq: snapshot ? null : (last ?? null) };
}
