import type { Alert, AlertDelivery, AlertFiring, AlertKind } from "@tickerplant/core";
import type postgres from "postgres";
import type { Queryable } from "./queryable.ts";

/** A pool: functions that open a transaction take one. */
type Pool = postgres.Sql;

/** Alert rules, firings and webhook deliveries (migration 008): the gateway's and the analyzer's queries. */

const ms = (col: string) => `(extract(epoch from ${col}) * 1000)::float8`;

export interface NewAlert {
  exchange: string;
  market: string;
  kind: AlertKind;
  threshold: number | null;
  window: string | null;
  cooldown: number;
  webhook: string | null;
  secret: string | null;
}

/** A live rule as the analyzer evaluates it. */
export interface AlertRule extends Alert {
  secret: string | null;
}

const ALERT_COLUMNS = `id::text, exchange, market, kind, threshold, window_spec as "window", cooldown_s as cooldown,
  webhook_url as webhook, armed, ${ms("created_at")} as "createdAt", ${ms("last_fired_at")} as "lastFiredAt"`;

export async function insertAlert(sql: Pool, a: NewAlert): Promise<Alert> {
  const [row] = await sql.begin(async (tx: postgres.TransactionSql) => {
    const rows = await tx.unsafe<Alert[]>(
      `insert into alert_rules (exchange, market, kind, threshold, window_spec, cooldown_s, webhook_url)
       values ($1, $2, $3, $4, $5, $6, $7) returning ${ALERT_COLUMNS}`,
      [a.exchange, a.market, a.kind, a.threshold, a.window, a.cooldown, a.webhook],
    );
    if (a.secret !== null)
      await tx`insert into alert_webhook_secrets (alert_id, secret) values (${rows[0]!.id}::uuid, ${a.secret})`;
    return rows;
  });
  return row!;
}

export async function listAlerts(
  sql: Queryable,
  q: { exchange?: string; market?: string; limit?: number } = {},
): Promise<Alert[]> {
  return sql.unsafe<Alert[]>(
    `select ${ALERT_COLUMNS} from alert_rules
     where deleted_at is null and ($1::text is null or exchange = $1) and ($2::text is null or market = $2)
     order by created_at desc limit $3`,
    [q.exchange ?? null, q.market ?? null, q.limit ?? 1000],
  );
}

export async function getAlert(sql: Queryable, id: string): Promise<Alert | undefined> {
  const [row] = await sql.unsafe<Alert[]>(
    `select ${ALERT_COLUMNS} from alert_rules where id = $1::uuid and deleted_at is null`,
    [id],
  );
  return row;
}

/** Soft delete: the firings stay on record. False when there is no such live rule. */
export async function deleteAlert(sql: Queryable, id: string): Promise<boolean> {
  const rows =
    await sql`update alert_rules set deleted_at = now() where id = ${id}::uuid and deleted_at is null returning id`;
  return rows.length > 0;
}

export async function countAlerts(sql: Queryable): Promise<number> {
  const [row] = await sql<
    [{ n: number }]
  >`select count(*)::int as n from alert_rules where deleted_at is null`;
  return row.n;
}

/** Every live rule with its webhook secret. */
export async function loadAlertRules(sql: Queryable): Promise<AlertRule[]> {
  return sql.unsafe<AlertRule[]>(
    `select r.id::text, r.exchange, r.market, r.kind, r.threshold, r.window_spec as "window",
       r.cooldown_s as cooldown, r.webhook_url as webhook, r.armed, ${ms("r.created_at")} as "createdAt",
       ${ms("r.last_fired_at")} as "lastFiredAt", s.secret
     from alert_rules r left join alert_webhook_secrets s on s.alert_id = r.id
     where r.deleted_at is null`,
  );
}

/**
 * Stores a firing if the rule is still armed and out of its cooldown, disarming it in the same
 * transaction (with its webhook delivery, when it has one). False: another replica (or an earlier
 * evaluation) already fired it, or the cooldown holds — nothing is stored.
 */
export async function fireAlert(sql: Pool, f: AlertFiring, webhook: string | null): Promise<boolean> {
  return sql.begin(async (tx: postgres.TransactionSql) => {
    const won = await tx`
      update alert_rules set armed = false, last_fired_at = now()
      where id = ${f.alertId}::uuid and deleted_at is null and armed
        and (last_fired_at is null or last_fired_at <= now() - make_interval(secs => cooldown_s))
      returning id`;
    if (won.length === 0) return false;
    await tx`
      insert into alert_firings (id, alert_id, exchange, market, kind, threshold, value, detail, ts, payload)
      values (${f.id}::uuid, ${f.alertId}::uuid, ${f.exchange}, ${f.market}, ${f.kind}, ${f.threshold}, ${f.value},
              ${f.detail}, to_timestamp(${f.ts}::float8 / 1000), ${tx.json(f as never)})`;
    if (webhook !== null)
      await tx`
        insert into alert_deliveries (firing_id, alert_id, url, next_attempt_at)
        values (${f.id}::uuid, ${f.alertId}::uuid, ${webhook}, now())`;
    return true;
  }) as Promise<boolean>;
}

/** The condition cleared (past the hysteresis band): the rule may fire again. */
export async function rearmAlert(sql: Queryable, id: string): Promise<boolean> {
  const rows =
    await sql`update alert_rules set armed = true where id = ${id}::uuid and not armed and deleted_at is null returning id`;
  return rows.length > 0;
}

export async function listFirings(sql: Queryable, alertId: string, limit = 100): Promise<AlertFiring[]> {
  const rows = await sql<Array<{ payload: AlertFiring }>>`
    select payload from alert_firings where alert_id = ${alertId}::uuid order by ts desc, created_at desc limit ${limit}`;
  return rows.map((r) => r.payload);
}

/** Firings not yet on NATS (the publishing outbox), oldest first. */
export async function unpublishedFirings(sql: Queryable, limit = 100): Promise<AlertFiring[]> {
  const rows = await sql<Array<{ payload: AlertFiring }>>`
    select payload from alert_firings where not published order by created_at limit ${limit}`;
  return rows.map((r) => r.payload);
}

export async function markFiringsPublished(sql: Queryable, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`update alert_firings set published = true where id = any(${ids}::uuid[])`;
}

export interface DueDelivery {
  id: string;
  url: string;
  attempts: number;
  secret: string | null;
  payload: AlertFiring;
}

/**
 * Locks up to `limit` deliveries that are due and counts the attempt now, so a replica that dies
 * mid-request leaves the delivery due again after its back-off, never lost.
 */
export async function claimDueDeliveries(
  sql: Queryable,
  limit: number,
  retryAfterMs: number,
): Promise<DueDelivery[]> {
  return sql<DueDelivery[]>`
    update alert_deliveries d set attempts = d.attempts + 1,
      next_attempt_at = now() + make_interval(secs => ${retryAfterMs / 1000}::float8)
    from (
      select id from alert_deliveries
      where status = 'pending' and next_attempt_at <= now()
      order by next_attempt_at limit ${limit} for update skip locked
    ) due, alert_firings f, alert_webhook_secrets s
    where d.id = due.id and f.id = d.firing_id and s.alert_id = d.alert_id
    returning d.id::text, d.url, d.attempts, s.secret, f.payload`;
}

/** Records one attempt and moves the delivery on: delivered, retried at `retryAt`, or dead. */
export async function recordDeliveryAttempt(
  sql: Pool,
  a: {
    id: string;
    attempt: number;
    status: number | null;
    error: string | null;
    ms: number;
    outcome: "delivered" | "retry" | "dead";
    retryInMs: number;
  },
): Promise<void> {
  await sql.begin(async (tx: postgres.TransactionSql) => {
    await tx`
      insert into alert_delivery_attempts (delivery_id, attempt, status, error, ms)
      values (${a.id}::uuid, ${a.attempt}, ${a.status}, ${a.error}, ${a.ms})
      on conflict do nothing`;
    await tx`
      update alert_deliveries set
        last_status = ${a.status}, last_error = ${a.error},
        status = ${a.outcome === "retry" ? "pending" : a.outcome},
        delivered_at = ${a.outcome === "delivered" ? sql`now()` : null},
        next_attempt_at = ${a.outcome === "retry" ? sql`now() + make_interval(secs => ${a.retryInMs / 1000}::float8)` : null}
      where id = ${a.id}::uuid and status = 'pending'`;
  });
}

export async function listDeliveries(
  sql: Queryable,
  q: { alertId?: string; status?: string; limit?: number } = {},
): Promise<AlertDelivery[]> {
  return sql.unsafe<AlertDelivery[]>(
    `select d.id::text, d.firing_id::text as "firingId", d.alert_id::text as "alertId", d.url, d.status, d.attempts,
       ${ms("d.next_attempt_at")} as "nextAttemptAt", d.last_status as "lastStatus", d.last_error as "lastError",
       ${ms("d.created_at")} as "createdAt", ${ms("d.delivered_at")} as "deliveredAt",
       coalesce((select json_agg(json_build_object('attempt', a.attempt, 'at', ${ms("a.at")}, 'status', a.status,
                   'error', a.error, 'ms', a.ms) order by a.attempt)
                 from alert_delivery_attempts a where a.delivery_id = d.id), '[]'::json) as log
     from alert_deliveries d
     where ($1::uuid is null or d.alert_id = $1::uuid) and ($2::text is null or d.status = $2)
     order by d.created_at desc limit $3`,
    [q.alertId ?? null, q.status ?? null, q.limit ?? 100],
  );
}
