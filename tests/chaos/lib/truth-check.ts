import type Redis from "ioredis";
import type postgres from "postgres";
import type { Platform } from "./platform.ts";
import type { ResumingClient } from "./ws-resume.ts";

/**
 * Compares what the platform holds with the simulators' ground truth, for trades up to a cutoff
 * time: TimescaleDB rows (lost, duplicated, invented), the resuming WebSocket client (missing,
 * twice, out of order), closed 1m candles, and — once the simulators are paused — Redis' latest
 * ticker. A trade missing from a store is excused only when a `gap` status event's window covers
 * its time (± GAP_SLACK_MS: the window's ends are the ingestor's clock at the moment it noticed).
 */
export const GAP_SLACK_MS = 1000;

export interface Window {
  from: number;
  to: number;
}

export interface KeyCheck {
  key: string;
  truth: number;
  stored: number;
  /** Truth trades not in TimescaleDB: within a reported gap, and not. */
  lostInGap: number;
  lostSilently: number;
  duplicated: number;
  invented: number;
  /** Truth trades after the client's first one that it never got (in a gap / not), got twice, or out of order. */
  wsLostInGap: number;
  wsLostSilently: number;
  wsDuplicated: number;
  wsOutOfOrder: number;
  candlesChecked: number;
  candlesWrong: number;
  gaps: number;
  /** First few silently lost trade ids (for the report). */
  silentSample: number[];
}

export async function gapWindows(sql: postgres.Sql, exchange: string, market: string): Promise<Window[]> {
  const rows = await sql<{ f: number | null; t: number | null; time: number }[]>`
    select extract(epoch from from_time) * 1000 as f, extract(epoch from to_time) * 1000 as t,
           extract(epoch from time) * 1000 as time
    from status_events where exchange = ${exchange} and market = ${market} and event = 'gap'`;
  return rows.map((r) => ({
    from: Number(r.f ?? r.time) - GAP_SLACK_MS,
    to: Number(r.t ?? r.time) + GAP_SLACK_MS,
  }));
}

function inGap(gaps: Window[], ts: number): boolean {
  return gaps.some((g) => ts >= g.from && ts <= g.to);
}

async function storedIds(
  sql: postgres.Sql,
  exchange: string,
  market: string,
  cutoff: number,
): Promise<number[]> {
  const rows = await sql<{ id: string }[]>`
    select trade_id as id from trades
    where exchange = ${exchange} and market = ${market} and time <= to_timestamp(${cutoff / 1000})`;
  return rows.map((r) => Number(r.id));
}

/** Waits until TimescaleDB holds every truth trade up to `cutoff` that is not in a gap (or the timeout). */
export async function waitStored(
  p: Platform,
  sql: postgres.Sql,
  cutoff: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let complete = true;
    for (const [exchange, s] of p.sims) {
      for (const market of p.o.markets) {
        const want = s.sim.truth.trades(market, { to: cutoff }).length;
        const [row] = await sql<{ n: number }[]>`
          select count(*)::int as n from trades
          where exchange = ${exchange} and market = ${market} and time <= to_timestamp(${cutoff / 1000})`;
        if ((row?.n ?? 0) < want) complete = false;
      }
    }
    if (complete) return;
    await Bun.sleep(500);
  }
}

/** Problems counted per bucket of time (the chaos runner's faults), by the truth trade's time. */
export interface BucketCounts {
  lostInGap: number;
  lostSilently: number;
  duplicated: number;
  wsLostInGap: number;
  wsLostSilently: number;
  wsDuplicated: number;
  wsOutOfOrder: number;
}

export function emptyCounts(): BucketCounts {
  return {
    lostInGap: 0,
    lostSilently: 0,
    duplicated: 0,
    wsLostInGap: 0,
    wsLostSilently: 0,
    wsDuplicated: 0,
    wsOutOfOrder: 0,
  };
}

export async function checkTruth(
  p: Platform,
  sql: postgres.Sql,
  client: ResumingClient | undefined,
  cutoff: number,
  bucketOf?: (ts: number) => string,
  buckets?: Map<string, BucketCounts>,
): Promise<KeyCheck[]> {
  const out: KeyCheck[] = [];
  const count = (ts: number, field: keyof BucketCounts) => {
    if (!bucketOf || !buckets) return;
    const name = bucketOf(ts);
    let b = buckets.get(name);
    if (!b) {
      b = emptyCounts();
      buckets.set(name, b);
    }
    b[field]++;
  };
  for (const [exchange, s] of p.sims) {
    for (const market of p.o.markets) {
      const key = `${exchange}:${market}`;
      const truth = s.sim.truth.trades(market, { to: cutoff });
      const gaps = await gapWindows(sql, exchange, market);
      const ids = await storedIds(sql, exchange, market, cutoff);
      const maxId = truth.length > 0 ? truth[truth.length - 1]!.id : 0;
      const seen = new Uint8Array(maxId + 2);
      let duplicated = 0;
      let invented = 0;
      for (const id of ids) {
        if (!Number.isInteger(id) || id < 1 || id > maxId || s.sim.truth.trade(market, id) === undefined) {
          invented++;
          continue;
        }
        if (seen[id]) {
          duplicated++;
          count(s.sim.truth.trade(market, id)!.ts, "duplicated");
        }
        seen[id] = 1;
      }
      const c: KeyCheck = {
        key,
        truth: truth.length,
        stored: ids.length,
        lostInGap: 0,
        lostSilently: 0,
        duplicated,
        invented,
        wsLostInGap: 0,
        wsLostSilently: 0,
        wsDuplicated: 0,
        wsOutOfOrder: 0,
        candlesChecked: 0,
        candlesWrong: 0,
        gaps: gaps.length,
        silentSample: [],
      };
      const got = client?.trades.get(key);
      for (const t of truth) {
        if (!seen[t.id]) {
          if (inGap(gaps, t.ts)) {
            c.lostInGap++;
            count(t.ts, "lostInGap");
          } else {
            c.lostSilently++;
            count(t.ts, "lostSilently");
            if (c.silentSample.length < 5) c.silentSample.push(t.id);
          }
        }
        if (got && got.count > 0 && t.id >= got.first && !got.has(t.id)) {
          if (inGap(gaps, t.ts)) {
            c.wsLostInGap++;
            count(t.ts, "wsLostInGap");
          } else {
            c.wsLostSilently++;
            count(t.ts, "wsLostSilently");
          }
        }
      }
      if (got) {
        c.wsDuplicated = got.duplicates;
        c.wsOutOfOrder = got.outOfOrder;
        for (const id of got.duplicateIds) count(s.sim.truth.trade(market, id)?.ts ?? 0, "wsDuplicated");
        for (const id of got.disorderIds) count(s.sim.truth.trade(market, id)?.ts ?? 0, "wsOutOfOrder");
      }
      await checkCandles(sql, p, exchange, market, cutoff, gaps, c);
      out.push(c);
    }
  }
  return out;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/** Closed 1m candles stored vs. computed from the truth, for minutes wholly before the cutoff and outside gaps. */
async function checkCandles(
  sql: postgres.Sql,
  p: Platform,
  exchange: string,
  market: string,
  cutoff: number,
  gaps: Window[],
  c: KeyCheck,
): Promise<void> {
  const rows = await sql<
    { open_time: number; open: number; high: number; low: number; close: number; volume: number }[]
  >`
    select extract(epoch from open_time) * 1000 as open_time, open, high, low, close, volume
    from candles where exchange = ${exchange} and market = ${market} and interval = '1m' and closed
      and close_time <= to_timestamp(${cutoff / 1000})`;
  if (rows.length === 0) return;
  const sim = p.sims.get(exchange)!.sim;
  const truth = new Map(sim.truth.candles(market, "1m", { to: cutoff }).map((k) => [k.openTime, k]));
  for (const r of rows) {
    const openTime = Number(r.open_time);
    if (gaps.some((g) => g.to >= openTime && g.from <= openTime + 60_000)) continue;
    const t = truth.get(openTime);
    c.candlesChecked++;
    if (
      !t ||
      !close(t.open, r.open) ||
      !close(t.high, r.high) ||
      !close(t.low, r.low) ||
      !close(t.close, r.close) ||
      !close(t.volume, r.volume)
    )
      c.candlesWrong++;
  }
}

/** Keys whose latest ticker in Redis differs from the truth (simulators paused). */
export async function tickerMismatches(p: Platform, redis: Redis): Promise<string[]> {
  const wrong: string[] = [];
  for (const [exchange, s] of p.sims) {
    for (const market of p.o.markets) {
      const json = await redis.hget(`ticker:${exchange}:${market}`, "json");
      const last = json ? (JSON.parse(json) as { last?: number }).last : undefined;
      if (last !== s.sim.truth.ticker(market).last) wrong.push(`${exchange}:${market}`);
    }
  }
  return wrong;
}

export function sum(checks: KeyCheck[], field: keyof Omit<KeyCheck, "key" | "silentSample">): number {
  return checks.reduce((n, c) => n + (c[field] as number), 0);
}
