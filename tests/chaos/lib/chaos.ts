import { join } from "node:path";
import { type ServiceName, until } from "@tickerplant/testkit";
import Redis from "ioredis";
import postgres from "postgres";
import { Platform } from "./platform.ts";
import {
  type BucketCounts,
  checkTruth,
  emptyCounts,
  type KeyCheck,
  sum,
  tickerMismatches,
  waitStored,
} from "./truth-check.ts";
import { ResumingClient } from "./ws-resume.ts";

/**
 * The chaos run: the platform on throwaway infrastructure under a steady simulator load; each
 * fault (kill -9 and restart of a service, restart of NATS, Redis or PostgreSQL) is injected
 * `runs` times, `steadyMs` apart; afterwards everything is compared with the ground truth and each
 * problem is charged to the fault injected last before the trade's time.
 */

export type FaultTarget = ServiceName | "nats" | "redis" | "postgres";

export interface ChaosProfile {
  name: string;
  exchanges: string[];
  markets: string[];
  /** Trades per second over all exchanges. */
  rate: number;
  runs: number;
  steadyMs: number;
  faults: FaultTarget[];
  logDir: string;
}

export const ALL_FAULTS: FaultTarget[] = [
  "storage-writer",
  "ingestor",
  "gateway",
  "analyzer",
  "scheduler",
  "nats",
  "redis",
  "postgres",
];

export function faultLabel(f: FaultTarget): string {
  return f === "nats" || f === "redis" || f === "postgres" ? `restart ${f}` : `kill -9 ${f}`;
}

export interface FaultRow {
  fault: string;
  runs: number;
  /** Time from the fault to the restarted process answering ready (infrastructure: every service ready). */
  readyMs: number[];
  /** Infrastructure only: time from the fault to the restarted server answering (its own restart). */
  serverBackMs: number[];
  /** Time from the fault to fresh trades in TimescaleDB and at the WebSocket client for every market. */
  recoveredMs: number[];
  counts: BucketCounts;
}

export interface ChaosResult {
  profile: Omit<ChaosProfile, "logDir">;
  generated: number;
  rows: FaultRow[];
  steady: BucketCounts;
  checks: KeyCheck[];
  tickerMismatches: string[];
  candlesChecked: number;
  candlesWrong: number;
  gaps: number;
  clientReconnects: number;
  errorLines: Record<string, number>;
  startedAt: string;
  durationMs: number;
}

export async function runChaos(
  profile: ChaosProfile,
  log: (msg: string) => void = () => {},
): Promise<ChaosResult> {
  const started = Date.now();
  const platform = await Platform.start({
    exchanges: profile.exchanges,
    markets: profile.markets,
    tradesPerSecond: profile.rate,
    channels: "trade,ticker,candle",
    logDir: profile.logDir,
    env: { STATS_INTERVAL_MS: "1000" },
  });
  const sql = postgres(platform.infra.postgres.url, { max: 2, onnotice: () => {}, connect_timeout: 5 });
  const redis = new Redis(platform.infra.redis.url, { maxRetriesPerRequest: 1 });
  const client = new ResumingClient(
    platform.gatewayUrl("/ws", true),
    profile.exchanges.map((ex) => `trade:${ex}:*`),
  );
  const keys = platform.keys();
  const injections: Array<{ at: number; fault: string }> = [];
  const rows = new Map<string, FaultRow>();
  try {
    client.start();
    await until(() => client.lastMessageAt > 0 || client.reconnects > 100, 2000);
    platform.resume();
    log(`${profile.name}: ${profile.rate} trades/s over ${profile.exchanges.join(", ")}`);

    const freshInDb = async (since: number) => {
      const [row] = await sql<{ n: number }[]>`
        select count(distinct (exchange, market))::int as n from trades where time >= to_timestamp(${since / 1000})`;
      return (row?.n ?? 0) >= keys.length;
    };

    for (let run = 0; run < profile.runs; run++) {
      for (const fault of profile.faults) {
        await Bun.sleep(profile.steadyMs);
        const label = faultLabel(fault);
        const t0 = Date.now();
        injections.push({ at: t0, fault: label });
        let readyMs: number;
        let serverBackMs: number | undefined;
        if (fault === "nats" || fault === "redis" || fault === "postgres") {
          await platform.infra[fault].restart();
          serverBackMs = Date.now() - t0;
          const ready = await until(async () => {
            const states = await Promise.all([...platform.services.values()].map((s) => s.ready()));
            return states.every(Boolean);
          }, 120_000);
          readyMs = ready ? Date.now() - t0 : -1;
        } else {
          const svc = platform.service(fault);
          await svc.kill9();
          svc.start();
          // A service that never gets ready is a result (-1), not the end of the run.
          readyMs = await svc.waitReady(120_000).then(
            () => Date.now() - t0,
            () => -1,
          );
        }
        const flowing = await until(
          async () => client.hasFreshTrades(keys, t0) && (await freshInDb(t0)),
          120_000,
          50,
        );
        const recoveredMs = flowing ? Date.now() - t0 : -1;
        let row = rows.get(label);
        if (!row) {
          row = {
            fault: label,
            runs: 0,
            readyMs: [],
            serverBackMs: [],
            recoveredMs: [],
            counts: emptyCounts(),
          };
          rows.set(label, row);
        }
        row.runs++;
        row.readyMs.push(readyMs);
        if (serverBackMs !== undefined) row.serverBackMs.push(serverBackMs);
        row.recoveredMs.push(recoveredMs);
        const back = serverBackMs === undefined ? "" : `, server back ${serverBackMs} ms`;
        log(`${label} (run ${run + 1})${back}: ready ${readyMs} ms, data flowing again ${recoveredMs} ms`);
      }
    }

    await Bun.sleep(profile.steadyMs);
    platform.pause();
    const cutoff = Date.now();
    log("paused; comparing with the ground truth");
    await waitStored(platform, sql, cutoff, 120_000);
    const lastTruth = new Map(
      keys.map((k) => {
        const [ex, m] = k.split(":") as [string, string];
        return [k, platform.sims.get(ex)!.sim.truth.lastTrade(m)?.id ?? 0];
      }),
    );
    await until(() => keys.every((k) => (client.trades.get(k)?.last ?? 0) >= lastTruth.get(k)!), 60_000, 200);
    const buckets = new Map<string, BucketCounts>();
    const bucketOf = (ts: number) => {
      // A trade just before a fault can be lost by it (received, not yet published): 2 s grace.
      let name = "steady";
      for (const i of injections) if (i.at <= ts + 2000) name = i.fault;
      return name;
    };
    const checks = await checkTruth(platform, sql, client, cutoff, bucketOf, buckets);
    let tickers: string[] = [];
    await until(
      async () => {
        tickers = await tickerMismatches(platform, redis);
        return tickers.length === 0;
      },
      20_000,
      500,
    );
    for (const row of rows.values()) row.counts = buckets.get(row.fault) ?? emptyCounts();
    return {
      profile: {
        name: profile.name,
        exchanges: profile.exchanges,
        markets: profile.markets,
        rate: profile.rate,
        runs: profile.runs,
        steadyMs: profile.steadyMs,
        faults: profile.faults,
      },
      generated: [...platform.sims.values()].reduce((n, s) => n + s.sim.truth.total(), 0),
      rows: [...rows.values()],
      steady: buckets.get("steady") ?? emptyCounts(),
      checks,
      tickerMismatches: tickers,
      candlesChecked: sum(checks, "candlesChecked"),
      candlesWrong: sum(checks, "candlesWrong"),
      gaps: sum(checks, "gaps"),
      clientReconnects: client.reconnects,
      errorLines: Object.fromEntries([...platform.services].map(([n, s]) => [n, s.errorLines.length])),
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
    };
  } finally {
    client.stop();
    await sql.end({ timeout: 2 }).catch(() => {});
    redis.disconnect();
    await platform.stop();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)]!;
};

/** The result as a Markdown table, one row per fault. */
export function renderTable(r: ChaosResult): string {
  const lines = [
    `chaos profile ${r.profile.name}: ${r.profile.rate} trades/s over ${r.profile.exchanges.length} exchanges × ${r.profile.markets.length} markets, ${r.generated} trades generated, ${Math.round(r.durationMs / 1000)} s`,
    "",
    "| fault | runs | lost (silently) | lost in reported gaps | duplicated | WS: lost silently / in gaps / twice / out of order | server back ms (median / max) | ready ms (median / max) | data flowing again ms (median / max) |",
    "|---|---:|---:|---:|---:|---|---:|---:|---:|",
  ];
  const span = (xs: number[]) => (xs.length ? `${median(xs)} / ${Math.max(...xs)}` : "–");
  const row = (
    name: string,
    runs: number | string,
    c: BucketCounts,
    back: number[],
    ready: number[],
    rec: number[],
  ) =>
    `| ${name} | ${runs} | ${c.lostSilently} | ${c.lostInGap} | ${c.duplicated} | ${c.wsLostSilently} / ${c.wsLostInGap} / ${c.wsDuplicated} / ${c.wsOutOfOrder} | ${span(back)} | ${span(ready)} | ${span(rec)} |`;
  lines.push(row("(steady, before any fault)", "–", r.steady, [], [], []));
  for (const f of r.rows)
    lines.push(row(f.fault, f.runs, f.counts, f.serverBackMs, f.readyMs, f.recoveredMs));
  lines.push(
    "",
    `gap status events: ${r.gaps}; closed 1m candles checked ${r.candlesChecked}, wrong ${r.candlesWrong}; Redis tickers differing from the truth: ${r.tickerMismatches.length}; resuming client reconnects: ${r.clientReconnects}; error log lines: ${Object.entries(
      r.errorLines,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  return lines.join("\n");
}

export function defaultLogDir(name: string): string {
  return join(
    import.meta.dir,
    "..",
    "results",
    `chaos-${name}-${new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19)}`,
  );
}
