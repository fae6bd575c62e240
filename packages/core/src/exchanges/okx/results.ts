import type { FrameResult } from "../../adapter.ts";
import { invalid as invalidResult } from "../wire/frame-results.ts";

export const EXCHANGE = "okx";

/** Why a frame was rejected (metrics label values); the result builders are in ../wire/frame-results.ts. */
export const INVALID_REASONS = [
  "malformed_json",
  "invalid_shape",
  "unknown_event",
  "unknown_channel",
  "invalid_field",
  "unknown_symbol",
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

/** OKX's invalid results carry one of INVALID_REASONS. */
export const invalid: (reason: InvalidReason, detail: string) => FrameResult = invalidResult;
