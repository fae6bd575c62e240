import type postgres from "postgres";
import { type MigrationLog, runMigrations } from "./migrate.ts";
import { isLicensed } from "./retention.ts";
import { rollupMode } from "./rollups.ts";
import { ensureTimescale, type TimescaleInfo } from "./timescale.ts";

/** Start-up schema work every service that touches the database runs: extension, then migrations. */
export async function prepareDatabase(
  sql: postgres.Sql,
  log: MigrationLog,
): Promise<TimescaleInfo & { schemaVersion: number }> {
  const ts = await ensureTimescale(sql);
  const { version } = await runMigrations(sql, { log });
  // Say what the schema actually holds: the views were built by migration 006 for the license the
  // server had then.
  const mode = await rollupMode(sql);
  log.info(
    mode === "continuous-aggregates"
      ? "candles_5m..candles_1w are continuous aggregates; the scheduler applies retention, compression and refresh policies"
      : "candles_5m..candles_1w read candle_rollups, refreshed by the scheduler; retention by the scheduler's drop_chunks",
    {
      timescaledb: ts.version,
      license: ts.license ?? "unknown",
      licensed: isLicensed(ts.license),
      rollups: mode,
    },
  );
  return { ...ts, schemaVersion: version };
}
