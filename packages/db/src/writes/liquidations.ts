import type { Liquidation } from "@tickerplant/core";
import type { Queryable } from "../queryable.ts";
import { msToTimestamptz } from "../time.ts";

/**
 * Inserts liquidations in one statement; one already stored (same exchange, market, id and time)
 * is skipped. Returns the number of rows inserted.
 */
export async function insertLiquidations(
  sql: Queryable,
  liquidations: readonly Liquidation[],
): Promise<number> {
  if (liquidations.length === 0) return 0;
  const result = await sql`
    insert into liquidations (time, exchange, market, symbol, liq_id, price, amount, contracts, side, recv_time, simulated)
    select * from unnest(
      ${sql.array(liquidations.map((l) => msToTimestamptz(l.ts)))}::text[]::timestamptz[],
      ${sql.array(liquidations.map((l) => l.exchange))}::text[],
      ${sql.array(liquidations.map((l) => l.market))}::text[],
      ${sql.array(liquidations.map((l) => l.symbol))}::text[],
      ${sql.array(liquidations.map((l) => l.id))}::text[],
      ${sql.array(liquidations.map((l) => l.price))}::float8[],
      ${sql.array(liquidations.map((l) => l.amount))}::float8[],
      ${sql.array(liquidations.map((l) => l.contracts ?? null))}::float8[],
      ${sql.array(liquidations.map((l) => l.side))}::text[],
      ${sql.array(liquidations.map((l) => msToTimestamptz(l.recvTs)))}::text[]::timestamptz[],
      ${sql.array(liquidations.map((l) => l.simulated === true))}::bool[]
    )
    on conflict do nothing`;
  return result.count;
}
