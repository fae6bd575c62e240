import type { Sql } from "@tickerplant/runtime";

/**
 * Whether a market is listed for an exchange. `listed` is false when the exchange has no market
 * list in SQL yet: then nothing can be called unknown.
 */
export async function marketListing(
  sql: Sql,
  exchange: string,
  market: string,
): Promise<{ listed: boolean; known: boolean }> {
  const [row] = await sql<{ listed: boolean; known: boolean }[]>`
    select exists(select 1 from markets where exchange = ${exchange}) as listed,
           exists(select 1 from markets where exchange = ${exchange} and market = ${market}) as known`;
  return row ?? { listed: false, known: false };
}
