import postgres from "postgres";

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";

export function connect(url = TEST_DATABASE_URL, max = 4): postgres.Sql {
  return postgres(url, { max, onnotice: () => {}, connect_timeout: 5 });
}

/** A URL for another database (or user) on the test server. */
export function withDatabase(url: string, database: string, user?: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (user) u.username = user;
  return u.toString();
}

/** An exchange id no other test run uses, so rows can be asserted exactly and cleaned up. */
export function uniqueExchange(prefix = "dbt"): string {
  return `${prefix}${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
}

export async function deleteExchangeRows(sql: postgres.Sql, exchange: string): Promise<void> {
  for (const table of ["trades", "candles", "tickers", "status_events", "markets"]) {
    await sql`delete from ${sql(table)} where exchange = ${exchange}`;
  }
}
