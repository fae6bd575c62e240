import { invalidRequest } from "./errors.ts";

const EPOCH_MS_RE = /^\d{1,16}(\.\d+)?$/;
// Date-only or full date-time; a time without an offset is read as UTC (Date.parse would use local time).
const ISO_RE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A `from`/`to` query value: ISO-8601 or epoch milliseconds → epoch ms. */
export function parseTimeParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  let ms: number;
  if (EPOCH_MS_RE.test(value)) ms = Number(value);
  else if (ISO_RE.test(value)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(value) && value.length > 10;
    ms = Date.parse(hasZone || value.length === 10 ? value : `${value}Z`);
  } else ms = Number.NaN;
  if (!Number.isFinite(ms)) {
    throw invalidRequest(
      `${name} must be an ISO-8601 time (2024-01-01T00:00:00Z) or epoch milliseconds, got "${value}"`,
    );
  }
  return ms;
}

export function parseTimeRange(
  from: string | undefined,
  to: string | undefined,
): { from?: number; to?: number } {
  const range = { from: parseTimeParam("from", from), to: parseTimeParam("to", to) };
  if (range.from !== undefined && range.to !== undefined && range.from >= range.to) {
    throw invalidRequest("from must be earlier than to");
  }
  return range;
}
