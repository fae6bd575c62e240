import type { FrameResult } from "../../adapter.ts";
import { sample } from "./fields.ts";

/** Reasons an unusable frame is reported with (counted per reason by the ingestor). */
export const INVALID_REASONS = [
  "bad_gzip",
  "malformed_json",
  "invalid_shape",
  "unknown_stream",
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
  return invalid("unknown_symbol", `${what}: no market for symbol ${sample(symbol, 40)}`);
}

export function ignored(reason: string): FrameResult {
  return { kind: "ignored", reason };
}
