import type { DbBaseline } from "./baseline-db.ts";
import type { NatsBaseline } from "./baseline-nats.ts";
import type { ParseBaseline } from "./baseline-parse.ts";
import type { StepResult } from "./ladder.ts";
import type { Measured } from "./measure.ts";

/** The benchmark's result file (bench/results/pipeline-<date>.json) and its Markdown rendering. */

export interface PipelineReport {
  date: string;
  run: string;
  command: string;
  machine: Record<string, string | number>;
  config: Record<string, unknown>;
  baselines: { nats?: NatsBaseline; db?: DbBaseline; parse?: ParseBaseline };
  pipeline: {
    markets: string[];
    backlogBeforeStart: number;
    warmup?: StepResult;
    steps: StepResult[];
    /** The 10k/s step, when the ladder stopped below it. */
    latencyStep?: StepResult;
    /** Highest step that was sustained, and the rate the simulator really produced there. */
    sustainedMax: { rate: number; generatedPerSecond: number } | null;
    firstUnsustained: { rate: number; verdict: string } | null;
    /** Most trades/s that reached both TimescaleDB and the client in one step, drain included. */
    throughputMax?: number;
    final?: { truth: number; stored: number; distinct: number; exact: boolean };
  };
  ratios: Record<string, number>;
  seconds: number;
  errors: string[];
}

const int = (n: number | undefined) =>
  n === undefined || !Number.isFinite(n) ? "–" : Math.round(n).toLocaleString("en-US");
const ms = (n: number | null | undefined) =>
  n === null || n === undefined || !Number.isFinite(n) ? "–" : `${n}`;

function cpuCell(cpu: Record<string, number>): string {
  return Object.entries(cpu)
    .filter(([, v]) => v >= 5)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k.replace(" (simulator + ws client)", "")} ${v}%`)
    .join(", ");
}

export function renderMarkdown(r: PipelineReport): string {
  const out: string[] = [];
  out.push(`## Pipeline benchmark ${r.date} (run ${r.run}, ${r.seconds.toFixed(0)} s)`);
  out.push("");
  out.push(
    `Machine: ${Object.entries(r.machine)
      .map(([k, v]) => `${k} ${v}`)
      .join("; ")}`,
  );
  out.push("");
  out.push("### Baselines (same run)");
  out.push("");
  out.push("| what | count | rate /s | CPU while it ran (% of one core) |");
  out.push("|---|---:|---:|---|");
  const { nats, db, parse } = r.baselines;
  const row = (what: string, m: Measured) =>
    out.push(`| ${what} | ${int(m.count)} | ${int(m.perSecond)} | ${m.cpu ? cpuCell(m.cpu) : "–"} |`);
  if (nats) {
    row(
      `NATS JetStream js.publish + msgID, file stream, ${nats.window} in flight, ${nats.messageBytes} B (runtime connection)`,
      nats.jetstream,
    );
    row("same, connection with noAsyncTraces: true", nats.jetstreamNoAsyncTraces);
    row("same through runtime JetStreamPublisher (the ingestor's class)", nats.runtimePublisher);
    row("NATS core publish (no stream, no ack)", nats.core);
  }
  if (db) {
    row("TimescaleDB COPY FROM STDIN (scratch hypertable like trades)", db.copy);
    row(
      `packages/db insertTrades (unnest, on conflict do nothing, batches of ${db.unnest.batchSize})`,
      db.unnest,
    );
  }
  if (parse) {
    const one = (what: string, rate: number) =>
      out.push(`| ${what}, one thread | ${int(parse.frames)} | ${int(rate)} | 100% |`);
    one("Binance parseFrame (simulator frames)", parse.parse.perSecond);
    one("ingestor per-trade path (parse → JSON → encode → subject, msgID)", parse.ingestPath.perSecond);
  }
  out.push("");
  out.push(
    "### Pipeline steps (simulator → ingestor → JetStream → storage-writer → TimescaleDB, and → gateway → WS client)",
  );
  out.push("");
  out.push(
    "| target /s | generated /s | trades | DB lag ms | WS lag ms | moved /s (DB / WS) | e2e p50 / p99 ms | verdict | CPU during step (% of one core) |",
  );
  out.push("|---:|---:|---:|---:|---:|---:|---:|---|---|");
  const rows = [...r.pipeline.steps, ...(r.pipeline.latencyStep ? [r.pipeline.latencyStep] : [])];
  for (const s of rows) {
    const lat = s.latencyMs ? `${s.latencyMs.e2e.p50} / ${s.latencyMs.e2e.p99}` : "–";
    const moved = `${int(s.throughput.db ?? undefined)} / ${int(s.throughput.ws ?? undefined)}`;
    const label = s === r.pipeline.latencyStep ? `${int(s.rate)} (latency step)` : int(s.rate);
    out.push(
      `| ${label} | ${int(s.generatedPerSecond)} | ${int(s.generated)} | ${ms(s.db.lagMs)} | ${ms(s.ws.lagMs)} | ${moved} | ${lat} | ${s.verdict} | ${cpuCell(s.cpu.during)} |`,
    );
  }
  out.push("");
  out.push("### CPU per trade (µs, over the step and its drain; nearly independent of other load)");
  out.push("");
  const SERVICES = ["ingestor", "storage-writer", "gateway", "nats-server", "postgres", "redis"];
  const BENCH = "bench (simulator + ws client)";
  out.push(
    `| target /s | ${SERVICES.join(" | ")} | pipeline total | simulator + client | 2-core ceiling /s |`,
  );
  out.push(`|---:|${SERVICES.map(() => "---:").join("|")}|---:|---:|---:|`);
  for (const s of rows) {
    const c = s.cpu.microsPerTrade;
    const total = SERVICES.reduce((sum, k) => sum + (c[k] ?? 0), 0);
    const ceiling = total + (c[BENCH] ?? 0) > 0 ? 2e6 / (total + (c[BENCH] ?? 0)) : Number.NaN;
    out.push(
      `| ${int(s.rate)} | ${SERVICES.map((k) => int(c[k])).join(" | ")} | ${int(total)} | ${int(c[BENCH])} | ${int(ceiling)} |`,
    );
  }
  out.push("");
  const max = r.pipeline.sustainedMax;
  out.push(
    `Highest sustained step: ${max ? `${int(max.rate)} trades/s (generated ${int(max.generatedPerSecond)}/s)` : "none"}.`,
  );
  if (r.pipeline.throughputMax)
    out.push(
      `Highest throughput through both paths (drain included): ${int(r.pipeline.throughputMax)} trades/s.`,
    );
  if (r.pipeline.firstUnsustained)
    out.push(
      `First unsustained: ${int(r.pipeline.firstUnsustained.rate)} trades/s — ${r.pipeline.firstUnsustained.verdict}.`,
    );
  const latStep = rows.find((s) => s.rate === 10_000);
  const lat = latStep?.latencyMs;
  if (lat) {
    out.push("");
    out.push(
      `### Latency at 10k trades/s (ms; step ${latStep?.sustained ? "sustained" : "NOT sustained: queueing included"})`,
    );
    out.push("");
    out.push("| segment | p50 | p90 | p99 | p99.9 | max | samples |");
    out.push("|---|---:|---:|---:|---:|---:|---:|");
    for (const [k, p] of Object.entries(lat)) {
      const name =
        {
          e2e: "exchange frame → WS client",
          ingest: "exchange frame → ingestor (recvTs − ts)",
          fanout: "ingestor → WS client",
        }[k] ?? k;
      out.push(`| ${name} | ${p.p50} | ${p.p90} | ${p.p99} | ${p.p999} | ${p.max} | ${int(p.count)} |`);
    }
  }
  if (Object.keys(r.ratios).length > 0) {
    out.push("");
    out.push("### Ratios to the baselines");
    out.push("");
    for (const [k, v] of Object.entries(r.ratios)) out.push(`- ${k}: ${v}`);
  }
  if (r.pipeline.final) {
    const f = r.pipeline.final;
    out.push("");
    out.push(
      `Whole run in TimescaleDB: ${int(f.stored)} rows of ${int(f.truth)} generated, ${int(f.distinct)} distinct → ${f.exact ? "exact" : "NOT EXACT"}.`,
    );
  }
  if (r.errors.length > 0) out.push("", "Errors:", ...r.errors.map((e) => `- ${e}`));
  return out.join("\n");
}
