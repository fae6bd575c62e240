import type { FrameResult } from "../../adapter.ts";
import { sample } from "./fields.ts";

/** Result builders shared by the OKX frame parsers. */

export const EXCHANGE = "okx";

export const INVALID_REASONS = [
  "malformed_json",
  "invalid_shape",
  "unknown_event",
  "unknown_channel",
  "invalid_field",
  "unknown_symbol",
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

export function invalid(reason: InvalidReason, detail: string): FrameResult {
  return { kind: "invalid", reason, detail };
}

export function badField(what: string, field: string, value: unknown): FrameResult {
  return invalid(
    "invalid_field",
    value === undefined ? `${what}: missing "${field}"` : `${what}: bad "${field}" ${sample(value)}`,
  );
}

export function unknownSymbol(what: string, symbol: string): FrameResult {
  return invalid("unknown_symbol", `${what}: no market for instId ${sample(symbol, 40)}`);
}

const IGNORED = new Map<string, FrameResult>();

/** An "ignored" result; one frozen object per reason (they are returned for every such frame). */
export function ignored(reason: string): FrameResult {
  let r = IGNORED.get(reason);
  if (!r) {
    r = Object.freeze({ kind: "ignored", reason });
    IGNORED.set(reason, r);
  }
  return r;
}
