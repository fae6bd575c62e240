import type postgres from "postgres";
import type { CpuMeter } from "./cpu.ts";
import type { Stack } from "./stack.ts";
import { metricValue, scrape } from "./stack.ts";
import { type Percentiles, round, roundPercentiles } from "./stats.ts";
import type { WsProbe } from "./ws-probe.ts";

/**
 * One rate step: generate at `rate` trades/s for `seconds`, pause, then watch TimescaleDB (exact
 * row count of the step's window) and the WebSocket client (distinct, in-order trades) until both
 * hold every trade the simulator generated. Sustained = both caught up within `sustainMs` of the
 * pause with nothing missing.
 */

export interface StepPlan {
  rate: number;
  seconds: number;
}

export interface StepResult {
  rate: number;
  seconds: number;
  generated: number;
  /** What the simulator really produced (its timer can fall behind when this process is busy). */
  generatedPerSecond: number;
  db: { stored: number; lagMs: number | null };
  ws: { received: number; lagMs: number | null; missing: number; duplicates: number; closed: string | null };
  /** Trades per second the path really moved: generated ÷ (generation time + lag), null if never complete. */
  throughput: { db: number | null; ws: number | null };
  sustained: boolean;
  verdict: string;
  latencyMs?: { e2e: Percentiles; ingest: Percentiles; fanout: Percentiles };
  cpu: {
    during: Record<string, number>;
    catchUp: Record<string, number>;
    othersDuring: string[];
    /**
     * CPU µs per trade per process over the step and its drain: the pipeline's cost, which (unlike
     * rates) hardly depends on what else runs on the machine. Idle work (timers, tickers) is included.
     */
    microsPerTrade: Record<string, number>;
  };
  writer: { batches: number; meanBatchRows: number; meanWriteMs: number };
  /** JetStream messages the ingestor published to MD_TRADES in the step (events batch into fewer). */
  ingestor: { inFlightAtPause: number; tradeMessages: number; tradesPerMessage: number };
  /** What the simulator and the ingestor saw happen to the exchange connection during the step. */
  connection: {
    opened: number;
    closed: number;
    closedBy: Record<string, number>;
    framesDropped: number;
    ingestorEvents: Record<string, number>;
    invalidFrames: number;
  };
  /** Service log tails when the step lost data. */
  logs?: string;
}

function simCounters(stack: Stack) {
  const c = stack.sim.sim.counters;
  return {
    opened: c.connectionsOpened,
    closed: c.connectionsClosed,
    closedBy: { ...c.closedBy } as Record<string, number>,
    framesDropped: c.framesDropped,
  };
}

async function ingestorCounters(stack: Stack) {
  const text = await scrape(stack.url("ingestor", "/metrics"));
  const events: Record<string, number> = {};
  for (const e of ["connected", "disconnected", "stale", "rotated"])
    events[e] = metricValue(text, "tickerplant_ingest_connection_events_total", { event: e });
  return {
    events,
    invalid: metricValue(text, "tickerplant_ingest_invalid_frames_total"),
    inFlight: metricValue(text, "tickerplant_publish_in_flight"),
    tradeMessages: metricValue(text, "tickerplant_published_messages_total", { stream: "MD_TRADES" }),
  };
}

export interface LadderDeps {
  stack: Stack;
  probe: WsProbe;
  sql: postgres.Sql;
  cpu: CpuMeter;
  markets: string[];
  sustainMs: number;
  /** Longest wait for a step to drain (so the report can say how far behind it was). */
  drainLimitMs: number;
  /** Stop waiting when nothing moved for this long (something was lost). */
  stallMs: number;
}

async function dbCount(sql: postgres.Sql, markets: string[], fromMs: number): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from trades
    where exchange = 'binance' and market in ${sql(markets)} and time >= ${new Date(fromMs).toISOString()}::timestamptz`;
  return row?.n ?? 0;
}

function sumCounts(c: Record<string, { received: number; missing: number; duplicates: number }>) {
  let received = 0;
  let missing = 0;
  let duplicates = 0;
  for (const v of Object.values(c)) {
    received += v.received;
    missing += v.missing;
    duplicates += v.duplicates;
  }
  return { received, missing, duplicates };
}

async function writerTotals(stack: Stack) {
  const text = await scrape(stack.url("storage-writer", "/metrics"));
  const t = { table: "trades" };
  return {
    batches: metricValue(text, "tickerplant_storage_batch_rows_count", t),
    rows: metricValue(text, "tickerplant_storage_batch_rows_sum", t),
    writeSeconds: metricValue(text, "tickerplant_storage_write_seconds_sum", t),
  };
}

export async function runStep(index: number, plan: StepPlan, d: LadderDeps): Promise<StepResult> {
  const sim = d.stack.sim.sim;
  const truthBefore = sim.truth.total();
  const wsBefore = sumCounts((await d.probe.counts()).markets);
  const writerBefore = await writerTotals(d.stack);
  const simBefore = simCounters(d.stack);
  const ingBefore = await ingestorCounters(d.stack);
  d.probe.step(index);
  await Bun.sleep(20); // the worker has switched steps before the first trade

  const cpu0 = d.cpu.sample();
  sim.setTradesPerSecond(plan.rate);
  const resumeAt = Date.now();
  sim.resume();
  await Bun.sleep(plan.seconds * 1000);
  sim.pause();
  const pauseAt = Date.now();
  const cpu1 = d.cpu.sample();
  const inFlightAtPause = metricValue(
    await scrape(d.stack.url("ingestor", "/metrics")),
    "tickerplant_publish_in_flight",
  );

  const generated = sim.truth.total() - truthBefore;
  let dbLag: number | null = null;
  let wsLag: number | null = null;
  let stored = 0;
  let ws = { received: 0, missing: 0, duplicates: 0 };
  let closed: string | null = null;
  let lastProgress = Date.now();
  let lastSeen = -1;
  while (Date.now() - pauseAt < d.drainLimitMs) {
    const probeAt = Date.now();
    const [n, counts] = await Promise.all([dbCount(d.sql, d.markets, resumeAt), d.probe.counts()]);
    const c = sumCounts(counts.markets);
    stored = n;
    ws = {
      received: c.received - wsBefore.received,
      missing: c.missing - wsBefore.missing,
      duplicates: c.duplicates - wsBefore.duplicates,
    };
    if (counts.closed) closed = `${counts.closed.code} ${counts.closed.reason}`.trim();
    if (dbLag === null && stored >= generated) dbLag = probeAt - pauseAt;
    if (wsLag === null && ws.received + ws.missing >= generated) wsLag = probeAt - pauseAt;
    if (dbLag !== null && (wsLag !== null || closed)) break;
    if (stored + ws.received !== lastSeen) {
      lastSeen = stored + ws.received;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > d.stallMs) break;
    await Bun.sleep(100);
  }
  const cpu2 = d.cpu.sample();
  const writerAfter = await writerTotals(d.stack);
  const simAfter = simCounters(d.stack);
  const ingAfter = await ingestorCounters(d.stack);

  const lossless =
    stored === generated && ws.received === generated && ws.missing === 0 && ws.duplicates === 0;
  const sustained =
    lossless && dbLag !== null && wsLag !== null && dbLag <= d.sustainMs && wsLag <= d.sustainMs;
  const verdict = sustained
    ? "sustained"
    : !lossless
      ? `LOSS: db ${stored}/${generated}, ws ${ws.received}/${generated} (missing ${ws.missing}, dup ${ws.duplicates})${closed ? `, ws closed ${closed}` : ""}`
      : `lag: db ${dbLag} ms, ws ${wsLag} ms > ${d.sustainMs} ms`;

  const batches = writerAfter.batches - writerBefore.batches;
  const result: StepResult = {
    rate: plan.rate,
    seconds: plan.seconds,
    generated,
    generatedPerSecond: Math.round((generated * 1000) / (pauseAt - resumeAt)),
    db: { stored, lagMs: dbLag },
    ws: { ...ws, lagMs: wsLag, closed },
    throughput: {
      db: dbLag === null ? null : Math.round((generated * 1000) / (pauseAt - resumeAt + dbLag)),
      ws:
        wsLag === null || ws.received < generated
          ? null
          : Math.round((generated * 1000) / (pauseAt - resumeAt + wsLag)),
    },
    sustained,
    verdict,
    cpu: {
      during: d.cpu.usage(cpu0, cpu1),
      catchUp: d.cpu.usage(cpu1, cpu2),
      othersDuring: d.cpu.others(cpu0, cpu1),
      microsPerTrade: Object.fromEntries(
        Object.entries(d.cpu.cpuSeconds(cpu0, cpu2)).map(([k, v]) => [
          k,
          generated > 0 ? Math.round((v * 1e6) / generated) : 0,
        ]),
      ),
    },
    writer: {
      batches,
      meanBatchRows: batches > 0 ? Math.round((writerAfter.rows - writerBefore.rows) / batches) : 0,
      meanWriteMs:
        batches > 0 ? round(((writerAfter.writeSeconds - writerBefore.writeSeconds) * 1000) / batches, 1) : 0,
    },
    ingestor: {
      inFlightAtPause,
      tradeMessages: ingAfter.tradeMessages - ingBefore.tradeMessages,
      tradesPerMessage:
        ingAfter.tradeMessages > ingBefore.tradeMessages
          ? round(generated / (ingAfter.tradeMessages - ingBefore.tradeMessages), 1)
          : 0,
    },
    connection: {
      opened: simAfter.opened - simBefore.opened,
      closed: simAfter.closed - simBefore.closed,
      closedBy: Object.fromEntries(
        Object.entries(simAfter.closedBy)
          .map(([k, v]) => [k, v - (simBefore.closedBy[k] ?? 0)])
          .filter(([, v]) => (v as number) > 0),
      ),
      framesDropped: simAfter.framesDropped - simBefore.framesDropped,
      ingestorEvents: Object.fromEntries(
        Object.entries(ingAfter.events)
          .map(([k, v]) => [k, v - (ingBefore.events[k] ?? 0)])
          .filter(([, v]) => (v as number) > 0),
      ),
      invalidFrames: ingAfter.invalid - ingBefore.invalid,
    },
  };
  if (!lossless) result.logs = d.stack.logs(15);
  const lat = await d.probe.latency(index);
  result.latencyMs = {
    e2e: roundPercentiles(lat.e2e),
    ingest: roundPercentiles(lat.ingest),
    fanout: roundPercentiles(lat.fanout),
  };
  return result;
}
