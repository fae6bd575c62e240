import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TickerplantError } from "@tickerplant/core";
import type postgres from "postgres";

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  sql: string;
}

export interface MigrationLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations/", import.meta.url));

/**
 * One advisory lock serializes schema work across every service and replica: whichever starts
 * first applies the migrations, the others wait and then find nothing to do.
 */
export const SCHEMA_LOCK_SQL = "select pg_advisory_xact_lock(hashtext('tickerplant:schema'))";

const FILE_RE = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

/** Reads `NNN_name.sql` files, in version order. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const out: Migration[] = [];
  for (const file of await readdir(dir)) {
    const m = FILE_RE.exec(file);
    if (!m) continue;
    const sql = await Bun.file(join(dir, file)).text();
    const checksum = new Bun.CryptoHasher("sha256").update(sql).digest("hex");
    out.push({ version: Number(m[1]), name: m[2] as string, checksum, sql });
  }
  out.sort((a, b) => a.version - b.version);
  for (let i = 1; i < out.length; i++) {
    if (out[i]?.version === out[i - 1]?.version) {
      throw new TickerplantError(
        "migration_conflict",
        `two migrations share version ${out[i]?.version}`,
        false,
      );
    }
  }
  return out;
}

/**
 * Applies pending migrations once each, in order, in one transaction under the schema lock, and
 * records them in `schema_migrations`. An applied migration whose file changed is an error: the
 * database no longer matches the code's history. Needs the timescaledb extension (ensureTimescale).
 */
export async function runMigrations(
  sql: postgres.Sql,
  options: { dir?: string; log?: MigrationLog } = {},
): Promise<{ applied: number[]; version: number }> {
  const migrations = await loadMigrations(options.dir);
  return sql.begin(async (tx) => {
    await tx.unsafe(SCHEMA_LOCK_SQL);
    await tx`
      create table if not exists schema_migrations (
        version     integer primary key,
        name        text not null,
        checksum    text not null,
        applied_at  timestamptz not null default now()
      )`;
    const rows = await tx<{ version: number; name: string; checksum: string }[]>`
      select version, name, checksum from schema_migrations order by version`;
    const done = new Map(rows.map((r) => [r.version, r]));
    const applied: number[] = [];
    for (const m of migrations) {
      const prior = done.get(m.version);
      if (prior) {
        if (prior.checksum !== m.checksum) {
          throw new TickerplantError(
            "migration_changed",
            `migration ${m.version}_${m.name} was applied with checksum ${prior.checksum} but the file now has ${m.checksum}; add a new migration instead of editing an applied one`,
            false,
          );
        }
        continue;
      }
      try {
        await tx.unsafe(m.sql);
      } catch (err) {
        throw new TickerplantError(
          "migration_failed",
          `migration ${m.version}_${m.name} failed: ${String(err)}`,
          false,
          {
            cause: err,
          },
        );
      }
      await tx`insert into schema_migrations (version, name, checksum) values (${m.version}, ${m.name}, ${m.checksum})`;
      applied.push(m.version);
      options.log?.info("migration applied", { version: m.version, name: m.name });
    }
    const known = new Set(migrations.map((m) => m.version));
    const unknown = rows.filter((r) => !known.has(r.version)).map((r) => r.version);
    // A newer release applied these; this older code keeps running against the newer schema.
    if (unknown.length > 0)
      options.log?.warn("database has migrations this build does not know", { unknown });
    const version = Math.max(0, ...rows.map((r) => r.version), ...applied);
    return { applied, version };
  });
}
