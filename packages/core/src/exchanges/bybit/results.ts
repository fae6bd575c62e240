import type { FrameResult } from "../../adapter.ts";
import { invalid as invalidResult } from "../wire/frame-results.ts";

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

/** Bybit's invalid results carry one of INVALID_REASONS. */
export const invalid: (reason: InvalidReason, detail: string) => FrameResult = invalidResult;
