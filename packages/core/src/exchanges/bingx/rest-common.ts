import type { RestLimits } from "../../adapter.ts";
import { TickerplantError } from "../../errors.ts";
import type { MarketInfo } from "../../schemas/market-info.ts";
import { sample } from "../wire/fields.ts";
import { objectBody } from "../wire/rest-body.ts";

/**
 * What BingX's spot and swap REST APIs share: one host, one budget (every market-data endpoint of
 * both venues counts towards 500 requests per 10 s per IP, notice of 2025-10-16), each call costs
 * 1, bodies are `{"code":0,"msg":"","data":...}`, and a `timestamp` parameter (ms) is expected.
 * BingX reports the remaining budget (`X-RateLimit-Requests-Remain`), not the used one, so there
 * is no used-weight header to follow; 429 then 418 (ban) with Retry-After.
 */

export const REST_DEFAULT_URL = "https://open-api.bingx.com";

export const REST_LIMITS: RestLimits = { budget: 500, windowMs: 10_000 };

export const WEIGHT = 1;

/** BingX business codes that say "try again later" (rate limit, risk control, server trouble). */
const RETRYABLE_CODES = new Set([100410, 100500, 100503, 109429, 109701]);

/** The `data` of a successful body; a non-zero code throws (retryable where BingX says so). */
export function unwrap(body: unknown, what: string): unknown {
  const b = objectBody(body, `bingx ${what}`, "an object body");
  const code = b.code;
  if (code !== 0 && code !== "0") {
    const n = Number(code);
    const msg = typeof b.msg === "string" && b.msg.length > 0 ? b.msg : "no message";
    throw new TickerplantError(
      `bingx_${sample(code, 20)}`,
      `bingx ${what}: ${msg} (code ${sample(code, 20)})`,
      RETRYABLE_CODES.has(n),
    );
  }
  return b.data;
}

/** The request time BingX wants on every call (it rejects times far from its clock). */
export function requestTime(): number {
  return Date.now();
}

/** BingX symbol status codes → ours: 1 online; 0 offline and 30 delisted; the rest paused. */
export function marketStatus(status: unknown): MarketInfo["status"] {
  const s = Number(status);
  if (s === 1) return "trading";
  if (s === 0 || s === 30) return "delisted";
  return "halted";
}
