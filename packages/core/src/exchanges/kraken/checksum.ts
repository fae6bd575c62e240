import { CHECKSUM_LEVELS } from "./channels.ts";

/**
 * Kraken's book checksum (v1 and v2 alike): CRC-32 (IEEE) over the top 10 asks, lowest first, then
 * the top 10 bids, highest first; each level contributes its price then its quantity, each with the
 * "." removed and leading zeros stripped, exactly as the exchange printed them. A value printed
 * with fewer decimals than Kraken's precision gives a different checksum: that is why books carry
 * the exchange's strings.
 */

export type ExactLevel = [price: string, amount: string];

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zlib's crc32) of an ASCII string, unsigned. */
export function crc32(text: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < text.length; i++) c = TABLE[(c ^ text.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** `"0.00100000"` → `"100000"`: the dot removed, then leading zeros. */
export function checksumField(value: string): string {
  let out = "";
  let leading = true;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === ".") continue;
    if (leading && ch === "0") continue;
    leading = false;
    out += ch;
  }
  return out;
}

/** The string the CRC is taken of; `asks` best (lowest) first, `bids` best (highest) first. */
export function checksumInput(asks: readonly ExactLevel[], bids: readonly ExactLevel[]): string {
  let s = "";
  const na = Math.min(CHECKSUM_LEVELS, asks.length);
  for (let i = 0; i < na; i++) s += checksumField(asks[i]![0]) + checksumField(asks[i]![1]);
  const nb = Math.min(CHECKSUM_LEVELS, bids.length);
  for (let i = 0; i < nb; i++) s += checksumField(bids[i]![0]) + checksumField(bids[i]![1]);
  return s;
}

/** Kraken's checksum of a book given best-first exact levels (only the top 10 of each side count). */
export function krakenChecksum(asks: readonly ExactLevel[], bids: readonly ExactLevel[]): number {
  return crc32(checksumInput(asks, bids));
}
