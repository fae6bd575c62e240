import type { HttpReply } from "../types.ts";

/** A BingX REST refusal: HTTP 200 with a business code, as BingX answers bad requests. */
export class BingxError extends Error {
  constructor(
    readonly code: number,
    msg: string,
    readonly status = 200,
  ) {
    super(msg);
  }

  reply(): HttpReply {
    return { status: this.status, body: { code: this.code, msg: this.message, timestamp: Date.now() } };
  }
}

export const invalidParams = (what: string): BingxError =>
  new BingxError(109400, `Invalid parameters: ${what}`);
export const noSuchSymbol = (): BingxError => new BingxError(109425, "Trading pair does not exist");

export function mandatory(q: URLSearchParams, name: string): string {
  const v = q.get(name);
  if (v === null || v === "") throw invalidParams(`${name} is required`);
  return v;
}

export function optionalInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^[0-9]{1,20}$/.test(v)) throw invalidParams(`${name} must be a non-negative integer`);
  return Number(v);
}

/** `limit` with the endpoint's default, capped at its maximum. */
export function limitParam(q: URLSearchParams, def: number, max: number): number {
  const v = optionalInt(q, "limit");
  if (v === undefined) return def;
  if (v <= 0) throw invalidParams("limit must be positive");
  return Math.min(v, max);
}

/** Swap endpoints want the request time in `timestamp`. */
export function requireTimestamp(q: URLSearchParams): void {
  const v = q.get("timestamp");
  if (v === null || !/^[0-9]{10,16}$/.test(v)) throw new BingxError(109400, "timestamp is invalid");
}
