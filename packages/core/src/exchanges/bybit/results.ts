import type { FrameResult } from "../../adapter.ts";
import { sample } from "./fields.ts";

/** Reasons an "invalid" result carries (counted per exchange and reason by the ingestor). */
export const INVALID_REASONS = [
  "malformed_json",
  "invalid_shape",
  "unknown_message",
  "unknown_topic",
  "invalid_field",
  "unknown_symbol",
  "delta_without_snapshot",
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

export const EXCHANGE = "bybit";

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

const ignoredCache = new Map<string, FrameResult>();

/** An "ignored" result per reason, shared (results are never mutated). */
export function ignored(reason: string): FrameResult {
  let r = ignoredCache.get(reason);
  if (!r) {
    r = Object.freeze({ kind: "ignored", reason }) as FrameResult;
    if (ignoredCache.size < 256) ignoredCache.set(reason, r);
  }
  return r;
}
