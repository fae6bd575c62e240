import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Webhook signatures: `x-tickerplant-signature: t=<epoch ms>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The timestamp is inside the signed text, so a captured request cannot be replayed later than
 * the receiver's tolerance; within it, receivers drop repeats by `x-tickerplant-delivery`.
 */
export const SIGNATURE_HEADER = "x-tickerplant-signature";
export const DELIVERY_HEADER = "x-tickerplant-delivery";

export function signWebhook(secret: string, body: string, timestampMs: number): string {
  const mac = createHmac("sha256", secret).update(`${timestampMs}.${body}`).digest("hex");
  return `t=${timestampMs},v1=${mac}`;
}

/** True when `header` signs `body` with `secret` and its time is within `toleranceMs` of `nowMs`. */
export function verifyWebhook(
  secret: string,
  header: string | null | undefined,
  body: string,
  nowMs = Date.now(),
  toleranceMs = 300_000,
): boolean {
  if (!header) return false;
  const parts = new Map(header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const t = Number(parts.get("t"));
  const v1 = parts.get("v1");
  if (!Number.isFinite(t) || !v1 || Math.abs(nowMs - t) > toleranceMs) return false;
  const expected = Buffer.from(signWebhook(secret, body, t).split("v1=")[1]!, "hex");
  const given = Buffer.from(v1, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
