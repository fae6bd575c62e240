import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { getAdapter } from "@tickerplant/core";
import { eventTexts } from "@tickerplant/runtime";
import { freePort, ServiceProcess, type StartedSimulator, startSimulator, until } from "@tickerplant/testkit";
import { ThrowawayInfra } from "./infra.ts";
import { metricValue, scrape } from "./metrics.ts";

/**
 * Exchange faults from the simulators, per exchange, against the ingestor as a process on throwaway
 * NATS/Redis: each fault must be detected (its metric moves), reported (a status event, where one
 * applies) and recovered from (data flowing again, or a fresh book), with the time to recover.
 */

export type ExchangeFault =
  | "dropped connection"
  | "stalled stream"
  | "sequence gap"
  | "malformed frames"
  | "truncated frames"
  | "gzip-corrupt frames"
  | "REST 429 + Retry-After"
  | "REST 418 + Retry-After"
  | "REST 403 + Retry-After"
  | "REST snapshot timeout";

export const EXCHANGE_FAULTS: ExchangeFault[] = [
  "dropped connection",
  "stalled stream",
  "sequence gap",
  "malformed frames",
  "truncated frames",
  "gzip-corrupt frames",
  "REST 429 + Retry-After",
  "REST 418 + Retry-After",
  "REST 403 + Retry-After",
  "REST snapshot timeout",
];

export interface FaultOutcome {
  exchange: string;
  fault: ExchangeFault;
  /** "n/a" when the exchange has no such path (book snapshots on the stream: no REST in the ingestor). */
  applicable: boolean;
  metric: string;
  detected: boolean;
  status: string;
  reported: boolean;
  recovered: boolean;
  recoverMs: number;
}

const MARKET = "BTC-USDT";
const STALE_AFTER_MS = 3000;
/** No market data this long while keepalives continue (BingX pings every 5 s): stalled. */
const DATA_STALL_MS = 4000;
const STALL_MS = 6000;
/** The ingestor's REST timeout (REST_TIMEOUT_MS): the snapshot fault holds the depth answer past it. */
const REST_TIMEOUT_MS = 3000;
/** Bad frames of consecutive faults fall in one window; a short one keeps each fault's report near it. */
const INVALID_FRAME_REPORT_MS = 2000;
/** Exchanges whose books start from a REST snapshot in the ingestor (the rest come on the stream). */
const REST_SNAPSHOT_EXCHANGES = new Set(["binance"]);

interface Seen {
  trades: number[];
  status: Array<{ at: number; event: string; detail: string }>;
  snapshots: number[];
}

export async function runExchangeFaults(
  exchanges: string[],
  faults: ExchangeFault[],
  logDir: string,
  log: (m: string) => void = () => {},
): Promise<FaultOutcome[]> {
  const infra = await ThrowawayInfra.start();
  const sims = new Map<string, StartedSimulator>();
  let nc: NatsConnection | undefined;
  let ingestor: ServiceProcess | undefined;
  try {
    for (const ex of exchanges)
      sims.set(ex, await startSimulator({ exchange: ex, markets: [MARKET], tradesPerSecond: 20, seed: 11 }));
    const seen = new Map<string, Seen>(
      exchanges.map((ex) => [ex, { trades: [], status: [], snapshots: [] }]),
    );
    nc = await connect({ servers: infra.nats.url });
    const sub = nc.subscribe("md.>");
    void (async () => {
      for await (const m of sub) {
        const [, type, ex] = m.subject.split(".");
        const s = seen.get(ex ?? "");
        if (!s) continue;
        const now = Date.now();
        // A message may carry several events of its subject (docs/architecture.md, "Event batches").
        for (const text of eventTexts(m)) {
          if (type === "trade") s.trades.push(now);
          else if (type === "status") {
            const st = JSON.parse(text) as { event: string; detail: string };
            s.status.push({ at: now, event: st.event, detail: st.detail });
          } else if (type === "book" && (JSON.parse(text) as { kind: string }).kind === "snapshot")
            s.snapshots.push(now);
        }
      }
    })();
    const overrides = [...sims].map(([ex, s]) => `${ex}.ws=${s.wsUrl},${ex}.rest=${s.restUrl}`).join(",");
    ingestor = new ServiceProcess(
      "ingestor",
      {
        NATS_URL: infra.nats.url,
        REDIS_URL: infra.redis.url,
        LOG_LEVEL: "warn",
        SOURCE: "simulated",
        EXCHANGES: exchanges.join(","),
        MARKETS: MARKET,
        CHANNELS: "trade,book",
        EXCHANGE_URL_OVERRIDES: overrides,
        STALE_AFTER_MS: String(STALE_AFTER_MS),
        DATA_STALL_MS: String(DATA_STALL_MS),
        INVALID_FRAME_REPORT_MS: String(INVALID_FRAME_REPORT_MS),
        REST_TIMEOUT_MS: String(REST_TIMEOUT_MS),
      },
      await freePort(),
      { logFile: join(logDir, "services.log") },
    );
    ingestor.start();
    await ingestor.waitReady(120_000);
    const port = ingestor.httpPort;
    await until(() => exchanges.every((ex) => (seen.get(ex)?.snapshots.length ?? 0) > 0), 120_000);

    const out: FaultOutcome[] = [];
    for (const ex of exchanges) {
      const sim = sims.get(ex)!.sim;
      const s = seen.get(ex)!;
      for (const fault of faults) {
        const rest = fault.startsWith("REST");
        const outcome: FaultOutcome = {
          exchange: ex,
          fault,
          applicable: !rest || REST_SNAPSHOT_EXCHANGES.has(ex),
          metric: "",
          detected: false,
          status: "",
          reported: false,
          recovered: false,
          recoverMs: -1,
        };
        out.push(outcome);
        if (!outcome.applicable) continue;
        // Quiet first: the previous fault is over, data flows.
        await until(() => (s.trades.at(-1) ?? 0) > Date.now() - 1000, 30_000);
        const before = await scrape(port);
        const t0 = Date.now();
        let metric: { name: string; labels: Record<string, string> };
        let statusWanted: string[] = [];
        /** When set, the wanted status must say this (the fault's own report, not a neighbour's). */
        let detailWanted: string | undefined;
        let recoveredWhen: () => boolean;
        const tradeAfter = (t: number) => s.trades.some((x) => x > t);
        // A book is back with a snapshot after the fault's report (the periodic republish of a book
        // still in sync before the fault was noticed does not count).
        const freshBook = () => {
          const reported = statusAfter(statusWanted);
          return reported !== undefined && s.snapshots.some((x) => x > reported.at);
        };
        const statusAfter = (events: string[]) =>
          s.status.find(
            (e) =>
              e.at >= t0 &&
              events.includes(e.event) &&
              (detailWanted === undefined || e.detail.includes(detailWanted)),
          );
        switch (fault) {
          case "dropped connection":
            sim.dropConnections();
            metric = {
              name: "tickerplant_ingest_connection_events_total",
              labels: { exchange: ex, event: "disconnected" },
            };
            statusWanted = ["gap"];
            recoveredWhen = () => {
              const c = s.status.find((e) => e.at >= t0 && e.event === "connected");
              return c !== undefined && tradeAfter(c.at);
            };
            break;
          case "stalled stream":
            sim.stall(STALL_MS);
            metric = {
              name: "tickerplant_ingest_connection_events_total",
              labels: { exchange: ex, event: "stale" },
            };
            statusWanted = ["stale"];
            recoveredWhen = () => {
              const c = s.status.find((e) => e.at >= t0 && e.event === "connected");
              return c !== undefined && tradeAfter(Math.max(c.at, t0 + STALL_MS));
            };
            break;
          case "sequence gap":
            sim.injectBookFault(MARKET, "gap");
            metric = { name: "tickerplant_book_resyncs_total", labels: { exchange: ex } };
            statusWanted = ["gap", "resync"];
            recoveredWhen = freshBook;
            break;
          case "malformed frames":
          case "truncated frames":
          case "gzip-corrupt frames": {
            const kind =
              fault === "malformed frames"
                ? "mixed"
                : fault === "truncated frames"
                  ? "truncated"
                  : "gzip-corrupt";
            sim.sendMalformed(5, kind);
            metric = { name: "tickerplant_ingest_invalid_frames_total", labels: { exchange: ex } };
            statusWanted = ["invalid_frames"];
            recoveredWhen = () => tradeAfter(t0 + 200);
            break;
          }
          case "REST snapshot timeout":
            // Only the depth call is held, so no other request can take the fault.
            sim.delayRest(1, REST_TIMEOUT_MS + 2000, getAdapter(ex)!.rest.depthRequest(MARKET, 1).path);
            sim.injectBookFault(MARKET, "gap");
            metric = { name: "tickerplant_rest_requests_total", labels: { exchange: ex, status: "timeout" } };
            statusWanted = ["resync"];
            detailWanted = "snapshot timeout";
            recoveredWhen = freshBook;
            break;
          default: {
            const code = Number(fault.slice(5, 8)) as 429 | 418 | 403;
            sim.rejectRest(2, code, 1);
            sim.injectBookFault(MARKET, "gap");
            metric = {
              name: "tickerplant_rest_requests_total",
              labels: { exchange: ex, status: String(code) },
            };
            statusWanted = ["gap", "resync"];
            recoveredWhen = freshBook;
          }
        }
        outcome.metric = `${metric.name}{${Object.entries(metric.labels)
          .map(([k, v]) => `${k}="${v}"`)
          .join(",")}}`;
        outcome.status = statusWanted.length > 0 ? statusWanted.join("/") : "none (data kept flowing)";
        const m0 = metricValue(before, metric.name, metric.labels);
        const done = await until(
          async () => {
            if (!outcome.detected)
              outcome.detected = metricValue(await scrape(port), metric.name, metric.labels) > m0;
            if (!outcome.reported)
              outcome.reported = statusWanted.length === 0 || statusAfter(statusWanted) !== undefined;
            if (!outcome.recovered && recoveredWhen()) {
              outcome.recovered = true;
              outcome.recoverMs = Date.now() - t0;
            }
            return outcome.detected && outcome.reported && outcome.recovered;
          },
          45_000,
          50,
        );
        log(
          `${ex} ${fault}: detected ${outcome.detected}, reported ${outcome.reported}, recovered ${outcome.recovered} in ${outcome.recoverMs} ms${done ? "" : " (timed out)"}`,
        );
        // Let a REST block (Retry-After) and the resync settle before the next fault.
        await Bun.sleep(1500);
      }
    }
    return out;
  } finally {
    await ingestor?.stop().catch(() => {});
    await nc?.close().catch(() => {});
    for (const s of sims.values()) await s.stop().catch(() => {});
    await infra.stop();
  }
}

export function renderFaultTable(rows: FaultOutcome[]): string {
  const lines = [
    "| exchange | fault | detected (metric) | status event | recovered | time to recover ms |",
    "|---|---|---|---|---|---:|",
  ];
  for (const r of rows) {
    if (!r.applicable) {
      lines.push(
        `| ${r.exchange} | ${r.fault} | n/a: book snapshots come on the stream, no REST in the ingestor | | | |`,
      );
      continue;
    }
    lines.push(
      `| ${r.exchange} | ${r.fault} | ${r.detected ? "yes" : "NO"} \`${r.metric}\` | ${r.reported ? "" : "NOT "}${r.status} | ${r.recovered ? "yes" : "NO"} | ${r.recoverMs} |`,
    );
  }
  return lines.join("\n");
}
