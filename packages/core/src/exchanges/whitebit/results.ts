import type { FrameResult } from "../../adapter.ts";
import { invalid as invalidResult } from "../wire/frame-results.ts";

/** Why a frame was rejected; counted per reason in the ingestor's metrics. */
export const INVALID_REASONS = [
  "malformed_json",
  "invalid_shape",
  "unknown_method",
  "invalid_field",
  "unknown_symbol",
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

/** WhiteBIT's invalid results carry one of INVALID_REASONS. */
export const invalid: (reason: InvalidReason, detail: string) => FrameResult = invalidResult;
