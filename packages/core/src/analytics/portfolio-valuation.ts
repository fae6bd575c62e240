import type { Composite } from "../schemas/analytics.ts";
import type { Holding, PortfolioValuation } from "../schemas/portfolios.ts";

/**
 * Values a portfolio with the composite prices: value, P&L against the cost basis, allocation and
 * the 24 h change. Pure: the analyzer (live `portfolio:<id>` updates) and the gateway (REST) share it.
 */
export function valuePortfolio(
  portfolio: { id: string; name: string },
  holdings: readonly Holding[],
  composites: ReadonlyMap<string, Composite>,
  now: number,
): PortfolioValuation {
  let value = 0;
  let cost = 0;
  let costKnown = true;
  let change = 0;
  let changeKnown = false;
  let simulated = false;
  const unpriced: string[] = [];
  const rows = holdings.map((h) => {
    const c = composites.get(h.asset);
    const price = c?.price ?? null;
    const v = price === null ? null : price * h.quantity;
    const basis = h.costBasis ?? null;
    if (c?.simulated) simulated = true;
    if (v === null) unpriced.push(h.asset);
    else {
      value += v;
      if (basis === null) costKnown = false;
      else cost += basis;
    }
    let change24h: number | null = null;
    if (v !== null && c?.open24h) {
      change24h = v - c.open24h * h.quantity;
      change += change24h;
      changeKnown = true;
    }
    return {
      asset: h.asset,
      quantity: h.quantity,
      costBasis: basis,
      price,
      value: v,
      pnl: v !== null && basis !== null ? v - basis : null,
      allocationPct: null as number | null,
      change24h,
      sources: c ? c.sources.map((s) => `${s.exchange}:${s.market}`) : [],
    };
  });
  for (const r of rows) if (r.value !== null && value > 0) r.allocationPct = (r.value / value) * 100;
  const pricedAny = rows.some((r) => r.value !== null);
  const costBasis = pricedAny && costKnown ? cost : null;
  const pnl = costBasis === null ? null : value - costBasis;
  const change24h = changeKnown ? change : null;
  const before = change24h === null ? 0 : value - change24h;
  return {
    type: "portfolio",
    id: portfolio.id,
    name: portfolio.name,
    ts: now,
    value,
    costBasis,
    pnl,
    pnlPct: pnl !== null && costBasis ? (pnl / costBasis) * 100 : null,
    change24h,
    change24hPct: change24h !== null && before > 0 ? (change24h / before) * 100 : null,
    unpriced,
    holdings: rows,
    ...(simulated ? { simulated: true } : {}),
  };
}
