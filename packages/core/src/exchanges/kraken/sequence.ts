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
  const key = `book:${symbol}`;
  const last = state.get(key) as number | undefined;
  const seq = last !== undefined && micros <= last ? last + 1 : micros;
  state.set(key, seq);
  return { seq, prevSeq: snapshot ? null : (last ?? null) };
}
