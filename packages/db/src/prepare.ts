import type postgres from "postgres";
import { type MigrationLog, runMigrations } from "./migrate.ts";
import { ensureTimescale, type TimescaleInfo } from "./timescale.ts";

/** Start-up schema work every service that touches the database runs: extension, then migrations. */
export async function prepareDatabase(
  sql: postgres.Sql,
  log: MigrationLog,
): Promise<TimescaleInfo & { schemaVersion: number }> {
  const ts = await ensureTimescale(sql);
  log.info(
    ts.continuousAggregates
      ? "timescaledb community license: continuous aggregates and native policies available"
      : "timescaledb apache license: using maintained rollups and scheduled retention jobs",
    { timescaledb: ts.version, license: ts.license },
  );
  const { version } = await runMigrations(sql, { log });
  return { ...ts, schemaVersion: version };
}
