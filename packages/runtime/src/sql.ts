import postgres from "postgres";
import type { ReadinessCheck } from "./health.ts";

export type Sql = postgres.Sql;

export function createSql(url: string, options: { max?: number; name: string }): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    connection: { application_name: options.name },
    onnotice: () => {},
    idle_timeout: 60,
    connect_timeout: 10,
  });
}

export function sqlCheck(sql: Sql): ReadinessCheck {
  return { name: "database", check: () => sql`select 1` };
}
