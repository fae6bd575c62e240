import type { FrameResult } from "../../adapter.ts";
import type { MarketMessage } from "../../schemas/messages.ts";
import { sample } from "./fields.ts";

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

export function invalid(reason: InvalidReason, detail: string): FrameResult {
  return { kind: "invalid", reason, detail };
}

export function ignored(reason: string): FrameResult {
  return { kind: "ignored", reason };
}

export function badField(what: string, field: string, value: unknown): FrameResult {
  return invalid(
    "invalid_field",
    value === undefined ? `${what}: missing "${field}"` : `${what}: bad "${field}" ${sample(value)}`,
  );
}

export function unknownSymbol(what: string, symbol: string): FrameResult {
  return invalid("unknown_symbol", `${what}: no market for product ${sample(symbol, 40)}`);
}

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
