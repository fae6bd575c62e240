/**
 * OKX's order-book checksum (books, books-l2-tbt, books50-l2-tbt): the signed 32-bit CRC32 of the
 * top 25 levels interleaved as `bid1Px:bid1Sz:ask1Px:ask1Sz:bid2Px:…` (a side that runs out is
 * skipped), over the exchange's own price and size strings.
 *
 * Deprecated by OKX: in production since 2026-06-23 the field is always 0, and continuity is
 * `prevSeqId == previous seqId`. Parsers carry a non-zero checksum (recordings, replays) with the
 * exact strings so that a book can still be verified.
 */

export const CHECKSUM_LEVELS = 25;

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC32 (IEEE) of an ASCII string, as a signed 32-bit integer (how OKX sends it). */
export function crc32Signed(text: string): number {
  let c = -1;
  for (let i = 0; i < text.length; i++) c = TABLE[(c ^ text.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) | 0;
}

/** The checksum string of a book given best-first `[price, size]` strings per side. */
export function checksumString(
  bids: readonly (readonly [string, string])[],
  asks: readonly (readonly [string, string])[],
): string {
  const parts: string[] = [];
  for (let i = 0; i < CHECKSUM_LEVELS; i++) {
    const b = bids[i];
    const a = asks[i];
    if (b) parts.push(b[0], b[1]);
    if (a) parts.push(a[0], a[1]);
  }
  return parts.join(":");
}

/** OKX's checksum of a book (bids best-first = descending, asks ascending). */
export function okxChecksum(
  bids: readonly (readonly [string, string])[],
  asks: readonly (readonly [string, string])[],
): number {
  return crc32Signed(checksumString(bids, asks));
}
