/** A time-range read. Times are epoch ms; both bounds are inclusive. */
export interface TimeRange {
  from?: number;
  to?: number;
  limit?: number;
}

export const DEFAULT_LIMIT = 500;
