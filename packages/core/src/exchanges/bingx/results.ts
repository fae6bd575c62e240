import type { FrameResult } from "../../adapter.ts";
import { invalid as invalidResult } from "../wire/frame-results.ts";

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

/** BingX's invalid results carry one of INVALID_REASONS. */
export const invalid: (reason: InvalidReason, detail: string) => FrameResult = invalidResult;
