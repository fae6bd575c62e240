import { num } from "../wire/fields.ts";

/** OKX's own field readers (the shared ones are in ../wire/fields.ts); they never throw. */

/** Epoch milliseconds as OKX sends them ("1652459224818") → number; NaN unless positive. */
export function epochMs(v: unknown): number {
  const n = num(v);
  return n > 0 ? n : Number.NaN;
}
