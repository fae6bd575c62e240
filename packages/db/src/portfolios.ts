import type { Holding } from "@tickerplant/core";
import type postgres from "postgres";
import type { Queryable } from "./queryable.ts";

/** A pool: functions that open a transaction take one. */
type Pool = postgres.Sql;

/** Portfolios and their holdings (migration 009). */

export interface PortfolioRecord {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  holdings: Holding[];
}

const SELECT = `select p.id::text, p.name, (extract(epoch from p.created_at) * 1000)::float8 as "createdAt",
    (extract(epoch from p.updated_at) * 1000)::float8 as "updatedAt",
    coalesce((select json_agg(json_build_object('asset', h.asset, 'quantity', h.quantity, 'costBasis', h.cost_basis) order by h.asset)
              from portfolio_holdings h where h.portfolio_id = p.id), '[]'::json) as holdings
  from portfolios p`;

export async function insertPortfolio(
  sql: Pool,
  name: string,
  holdings: Holding[],
): Promise<PortfolioRecord> {
  const id = await sql.begin(async (tx: postgres.TransactionSql) => {
    const [row] = await tx<
      [{ id: string }]
    >`insert into portfolios (name) values (${name}) returning id::text`;
    await writeHoldings(tx, row.id, holdings);
    return row.id;
  });
  return (await getPortfolio(sql, id as string))!;
}

async function writeHoldings(tx: Queryable, id: string, holdings: Holding[]): Promise<void> {
  await tx`delete from portfolio_holdings where portfolio_id = ${id}::uuid`;
  for (const h of holdings)
    await tx`insert into portfolio_holdings (portfolio_id, asset, quantity, cost_basis)
             values (${id}::uuid, ${h.asset}, ${h.quantity}, ${h.costBasis ?? null})`;
}

/** Replaces the holdings; false when the portfolio does not exist. */
export async function replaceHoldings(sql: Pool, id: string, holdings: Holding[]): Promise<boolean> {
  return (await sql.begin(async (tx: postgres.TransactionSql) => {
    const rows = await tx`update portfolios set updated_at = now() where id = ${id}::uuid returning id`;
    if (rows.length === 0) return false;
    await writeHoldings(tx, id, holdings);
    return true;
  })) as boolean;
}

/** Adds to (or sets) one asset's holding; false when the portfolio does not exist. */
export async function upsertHolding(sql: Pool, id: string, h: Holding): Promise<boolean> {
  return (await sql.begin(async (tx: postgres.TransactionSql) => {
    const rows = await tx`update portfolios set updated_at = now() where id = ${id}::uuid returning id`;
    if (rows.length === 0) return false;
    await tx`insert into portfolio_holdings (portfolio_id, asset, quantity, cost_basis)
             values (${id}::uuid, ${h.asset}, ${h.quantity}, ${h.costBasis ?? null})
             on conflict (portfolio_id, asset) do update set quantity = excluded.quantity, cost_basis = excluded.cost_basis`;
    return true;
  })) as boolean;
}

export async function deleteHolding(sql: Queryable, id: string, asset: string): Promise<boolean> {
  const rows =
    await sql`delete from portfolio_holdings where portfolio_id = ${id}::uuid and asset = ${asset} returning asset`;
  if (rows.length > 0) await sql`update portfolios set updated_at = now() where id = ${id}::uuid`;
  return rows.length > 0;
}

export async function countHoldings(sql: Queryable, id: string): Promise<number> {
  const [row] = await sql<
    [{ n: number }]
  >`select count(*)::int as n from portfolio_holdings where portfolio_id = ${id}::uuid`;
  return row.n;
}

export async function getPortfolio(sql: Queryable, id: string): Promise<PortfolioRecord | undefined> {
  const [row] = await sql.unsafe<PortfolioRecord[]>(`${SELECT} where p.id = $1::uuid`, [id]);
  return row;
}

export async function listPortfolios(sql: Queryable, limit = 1000): Promise<PortfolioRecord[]> {
  return sql.unsafe<PortfolioRecord[]>(`${SELECT} order by p.created_at desc limit $1`, [limit]);
}

export async function countPortfolios(sql: Queryable): Promise<number> {
  const [row] = await sql<[{ n: number }]>`select count(*)::int as n from portfolios`;
  return row.n;
}

export async function deletePortfolio(sql: Queryable, id: string): Promise<boolean> {
  const rows = await sql`delete from portfolios where id = ${id}::uuid returning id`;
  return rows.length > 0;
}
