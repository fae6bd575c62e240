import type { FrameResult, ParseContext } from "../../adapter.ts";
import { invalid as invalidResult } from "../wire/frame-results.ts";
import { v2Symbol } from "./symbols.ts";

/** Why a frame was rejected (metrics label values). */
export const INVALID_REASONS = [
  "malformed_json",
  "invalid_shape",
  "unknown_event",
  "invalid_field",
  "unknown_symbol",
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

export const EXCHANGE = "kraken";

export const HEARTBEAT: FrameResult = Object.freeze({ kind: "control", event: "heartbeat" });
export const PONG: FrameResult = Object.freeze({ kind: "control", event: "pong" });

/** Kraken's invalid results carry one of INVALID_REASONS. */
export const invalid: (reason: InvalidReason, detail: string) => FrameResult = invalidResult;

export function requestId(id: unknown): string | number | null {
  return typeof id === "number" || typeof id === "string" ? id : null;
}

/** The market of a symbol: as sent, else (v1 `XBT/USD`) under its v2 name (`BTC/USD`). */
export function marketOf(ctx: ParseContext, symbol: string): string | undefined {
  return ctx.marketOf(symbol) ?? ctx.marketOf(v2Symbol(symbol));
}
