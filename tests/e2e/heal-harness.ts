import { connect } from "@nats-io/transport-node";
import { eventTexts } from "@tickerplant/runtime";
import type postgres from "postgres";

/**
 * What the gap and heal tests share (restart-gap, disconnect-heal): the trade ids seen on the trade
 * subjects, what TimescaleDB holds, and the status events.
 */

/** Trade ids seen on `md.trade.binance.>`, live and backfilled, per market (core NATS). */
export async function watchTrades(natsUrl: string, markets: readonly string[]) {
  const seenLive = new Map<string, Set<number>>(markets.map((m) => [m, new Set()]));
  const seenBackfilled = new Map<string, Set<number>>(markets.map((m) => [m, new Set()]));
  const nc = await connect({ servers: natsUrl });
  nc.subscribe("md.trade.binance.>", {
    callback: (_err, msg) => {
      for (const text of eventTexts(msg)) {
        const t = JSON.parse(text) as { market: string; id: string; backfilled?: boolean };
        (t.backfilled ? seenBackfilled : seenLive).get(t.market)?.add(Number(t.id));
      }
    },
  });
  return { seenLive, seenBackfilled, close: () => nc.close() };
}

export async function storedIds(sql: postgres.Sql, market: string): Promise<Set<number>> {
  const rows = await sql<{ trade_id: string }[]>`
    select trade_id from trades where exchange = 'binance' and market = ${market}`;
  return new Set(rows.map((r) => Number(r.trade_id)));
}

export interface StatusRow {
  detail: string;
  from: number;
  to: number;
  from_seq: number | null;
  to_seq: number | null;
}

export async function statusEvents(sql: postgres.Sql, market: string, event: string): Promise<StatusRow[]> {
  return sql<StatusRow[]>`
    select detail, (extract(epoch from from_time) * 1000)::float8 as from,
           (extract(epoch from to_time) * 1000)::float8 as to, from_seq::float8 as from_seq, to_seq::float8 as to_seq
    from status_events
    where exchange = 'binance' and market = ${market} and event = ${event}
    order by time`;
}

/** The ingestor's liveness says it receives from the exchange. */
export function receiving(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/health/live`)
    .then((r) => r.json() as Promise<{ receiving?: boolean }>)
    .then((h) => h.receiving === true)
    .catch(() => false);
}
