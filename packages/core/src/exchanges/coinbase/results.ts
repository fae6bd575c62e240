import type { FrameResult } from "../../adapter.ts";
import type { MarketMessage } from "../../schemas/messages.ts";
import { sample } from "../wire/fields.ts";
import { invalid as invalidResult } from "../wire/frame-results.ts";

/** Why a frame was rejected (metrics label values). */
export const INVALID_REASONS = [
  "malformed_json",
  "invalid_shape",
  "unknown_event",
  "invalid_field",
  "unknown_symbol",
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

export const EXCHANGE = "coinbase";

export const HEARTBEAT: FrameResult = Object.freeze({ kind: "control", event: "heartbeat" });
/** Coinbase acknowledges with a `subscriptions` message that carries no request id. */
export const ACK: FrameResult = Object.freeze({ kind: "ack", id: null });

/** Coinbase's invalid results carry one of INVALID_REASONS. */
export const invalid: (reason: InvalidReason, detail: string) => FrameResult = invalidResult;

/** Data, or "ignored: empty" when a frame carried nothing (an event list without entries). */
export function data(messages: MarketMessage[]): FrameResult {
  return messages.length > 0 ? { kind: "data", messages } : { kind: "ignored", reason: "empty" };
}

/** `{"type":"error","message":..,"reason":..}` (both protocols). */
export function errorResult(p: Record<string, unknown>): FrameResult {
  const message = typeof p.message === "string" ? p.message : sample(p.message);
  const reason = p.reason;
  return {
    kind: "error",
    id: null,
    message: typeof reason === "string" && reason.length > 0 ? `${message}: ${reason}` : message,
  };
}
