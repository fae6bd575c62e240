/** Market naming: `BASE-QUOTE` (spot), `BASE-QUOTE-PERP` (perpetual), `BASE-QUOTE-YYMMDD` (dated future). */

export type MarketKind = "spot" | "perp" | "future";

export interface MarketName {
  base: string;
  quote: string;
  kind: MarketKind;
  expiry?: string; // YYMMDD
}

const MARKET_RE = /^([A-Z0-9]+)-([A-Z0-9]+)(?:-(PERP|[0-9]{6}))?$/;
/** Longest market name the schemas accept (an exchange's symbol may be anything). */
export const MAX_MARKET_NAME_LENGTH = 48;

/** A name the schemas accept: the syntax `parseMarket` reads, and at most 48 characters. */
export function isMarketName(value: string): boolean {
  return value.length <= MAX_MARKET_NAME_LENGTH && MARKET_RE.test(value);
}

export function parseMarket(name: string): MarketName {
  const m = MARKET_RE.exec(name);
  if (!m)
    throw new Error(
      `invalid market name "${name}" (expected BASE-QUOTE, BASE-QUOTE-PERP or BASE-QUOTE-YYMMDD)`,
    );
  const [, base, quote, suffix] = m as unknown as [string, string, string, string | undefined];
  if (suffix === undefined) return { base, quote, kind: "spot" };
  if (suffix === "PERP") return { base, quote, kind: "perp" };
  return { base, quote, kind: "future", expiry: suffix };
}

export function formatMarket(m: MarketName): string {
  const head = `${m.base.toUpperCase()}-${m.quote.toUpperCase()}`;
  if (m.kind === "perp") return `${head}-PERP`;
  if (m.kind === "future") return `${head}-${m.expiry}`;
  return head;
}
