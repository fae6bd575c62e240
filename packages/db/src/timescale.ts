import { TickerplantError } from "@tickerplant/core";
import type postgres from "postgres";
import { SCHEMA_LOCK_SQL } from "./migrate.ts";

export interface TimescaleInfo {
  version: string;
  /** `timescale` (community: continuous aggregates, compression) or `apache` (core only). */
  license: string | null;
  continuousAggregates: boolean;
}

/**
 * Creates the timescaledb extension if needed and reports which feature path the server allows:
 * continuous aggregates and native policies need the community (`timescale`) license; the Apache
 * build only has hypertables and the SQL functions, so rollups and retention run as our own jobs.
 */
export async function ensureTimescale(sql: postgres.Sql): Promise<TimescaleInfo> {
  const [available] = await sql<{ name: string }[]>`
    select name from pg_available_extensions where name = 'timescaledb'`;
  if (!available) {
    throw new TickerplantError(
      "timescaledb_missing",
      "the timescaledb extension is not available on this PostgreSQL server; point DATABASE_URL at a TimescaleDB server (see infra/stack.sh)",
      false,
    );
  }
  try {
    await sql.begin(async (tx) => {
      await tx.unsafe(SCHEMA_LOCK_SQL); // concurrent `create extension` races on pg_extension
      await tx`create extension if not exists timescaledb`;
    });
  } catch (err) {
    throw new TickerplantError(
      "timescaledb_unusable",
      `cannot create the timescaledb extension (is it in shared_preload_libraries, and may this user create extensions?): ${String(err)}`,
      false,
      { cause: err },
    );
  }
  const [row] = await sql<{ version: string; license: string | null }[]>`
    select extversion as version, current_setting('timescaledb.license', true) as license
    from pg_extension where extname = 'timescaledb'`;
  const license = row?.license ?? null;
  return { version: row?.version ?? "unknown", license, continuousAggregates: license === "timescale" };
}
