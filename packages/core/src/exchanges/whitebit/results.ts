import type { FrameResult } from "../../adapter.ts";
import { sample } from "./fields.ts";

/** Why a frame was rejected; counted per reason in the ingestor's metrics. */
export const INVALID_REASONS = [
  "malformed_json",
  "invalid_shape",
  "unknown_method",
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
    value === undefined ? `${what}: missing ${field}` : `${what}: bad ${field} ${sample(value)}`,
  );
}

export function unknownSymbol(what: string, symbol: string): FrameResult {
  return invalid("unknown_symbol", `${what}: no market for symbol ${sample(symbol, 40)}`);
}

export function ignored(reason: string): FrameResult {
  return Object.freeze({ kind: "ignored", reason });
}
