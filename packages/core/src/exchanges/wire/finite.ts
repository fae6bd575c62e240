import type { FrameResult, ParseContext } from "../../adapter.ts";
import type { MarketMessage } from "../../schemas/messages.ts";
import { invalid } from "./frame-results.ts";

/**
 * The last check of every adapter's parser: a number that overflowed or came out NaN (a derived
 * change of 1e308 − −1e308, a percent of a 5e-324 open) would be published as `null` and break the
 * message's schema downstream. Such a frame is `invalid_field` instead, naming the field.
 */
export function finiteOnly<F extends (frame: string | Uint8Array, ctx: ParseContext) => FrameResult>(
  parse: F,
): F {
  return ((frame: string | Uint8Array, ctx: ParseContext) => {
    const result = parse(frame, ctx);
    if (result.kind !== "data") return result;
    for (const m of result.messages) {
      const field = nonFiniteField(m);
      if (field !== undefined) {
        const out = invalid("invalid_field", `${m.type}: "${field}" is not a finite number`);
        return result.gap ? { ...out, gap: result.gap } : out;
      }
    }
    return result;
  }) as F;
}

/** Indexed loops, no Object.entries or closures: this runs on every message of every exchange. */
function nonFiniteField(m: MarketMessage): string | undefined {
  const o = m as unknown as Record<string, unknown>;
  for (const key in o) {
    const value = o[key];
    if (typeof value === "number") {
      if (!Number.isFinite(value)) return key;
    } else if (Array.isArray(value)) {
      // Book sides: [[price, amount], ...].
      for (let i = 0; i < value.length; i++) {
        const level = value[i];
        if (!Array.isArray(level)) continue;
        for (let j = 0; j < level.length; j++) {
          const n = level[j];
          if (typeof n === "number" && !Number.isFinite(n)) return key;
        }
      }
    }
  }
  return undefined;
}
