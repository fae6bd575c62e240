/** Coinbase's own field helpers (the shared readers are in ../wire/fields.ts). */

/** Rounds away binary noise of a derived value (open from last and a percentage) to 12 digits. */
export function derived(v: number): number {
  return Number(v.toPrecision(12));
}
