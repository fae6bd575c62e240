import type { FrameResult } from "../../adapter.ts";
import { sample } from "./fields.ts";

/**
 * Builders of the FrameResult values every adapter's parser returns. Each exchange keeps its own
 * list of invalid reasons (the metrics label values) and types `invalid` with it; the reasons used
 * here, "invalid_field" and "unknown_symbol", are in every list.
 */

export function invalid(reason: string, detail: string): FrameResult {
  return { kind: "invalid", reason, detail };
}

/** A missing or unreadable field: `<what>: missing "<field>"` / `<what>: bad "<field>" <sample>`. */
export function badField(what: string, field: string, value: unknown): FrameResult {
  return invalid(
    "invalid_field",
    value === undefined ? `${what}: missing "${field}"` : `${what}: bad "${field}" ${sample(value)}`,
  );
}

/** As badField, with the field name unquoted (WhiteBIT's details: `<what>: bad <field> <sample>`). */
export function badFieldUnquoted(what: string, field: string, value: unknown): FrameResult {
  return invalid(
    "invalid_field",
    value === undefined ? `${what}: missing ${field}` : `${what}: bad ${field} ${sample(value)}`,
  );
}

/** A symbol with no market: `<what>: no market for <idName> <sample>` (idName: the exchange's word for it). */
export function unknownSymbol(what: string, symbol: string, idName = "symbol"): FrameResult {
  return invalid("unknown_symbol", `${what}: no market for ${idName} ${sample(symbol, 40)}`);
}

/** A fresh "ignored" result (callers may extend it). */
export function ignored(reason: string): FrameResult {
  return { kind: "ignored", reason };
}

const frozenIgnored = new Map<string, FrameResult>();

/** A frozen "ignored" result, one per reason (it is returned for every such frame; at most 256 are kept). */
export function ignoredFrozen(reason: string): FrameResult {
  let r = frozenIgnored.get(reason);
  if (!r) {
    r = Object.freeze({ kind: "ignored", reason }) as FrameResult;
    if (frozenIgnored.size < 256) frozenIgnored.set(reason, r);
  }
  return r;
}
