import {
  type Candle,
  type CandleInterval,
  isRetryable,
  messageId,
  type NormalizedMessage,
  type RecordedJobItem,
  type Status,
  subjectOf,
  TickerplantError,
  type Trade,
} from "@tickerplant/core";
import {
  checkpointJob,
  claimJob,
  finishJob,
  insertNewTrades,
  insertStatusEvents,
  type JobRecord,
  REST_TIME_SLACK_MS,
  recordJobError,
  selectJobRecord,
  touchJob,
  tradesStoredSince,
  upsertCandles,
} from "@tickerplant/db";
import {
  type JetStreamPublisher,
  type Logger,
  type Redis,
  resolveContracts,
  type Sql,
} from "@tickerplant/runtime";
import type { ExchangeClient, ExchangeClients } from "../exchange-clients.ts";
import type { JobHandlerResult } from "../job-worker.ts";
import { CandlePager } from "./candle-pager.ts";
import type { JobMetrics } from "./job-metrics.ts";
import type { Checkpoint, Pager } from "./page.ts";
import { TradePager } from "./trade-pager.ts";
import type { WriterProgress } from "./writer-progress.ts";

/** A job's checkpoint: which of its pagers runs now and each pager's own checkpoint. */
interface JobCheckpoint {
  phase: number;
  parts: Record<string, Checkpoint>;
}

class JobCancelled extends Error {}

/**
 * Runs recorded jobs (backfills, gap heals) page by page. Each page's rows and the job's
 * checkpoint are written in one transaction, so a scheduler killed at any point is resumed by
 * whichever replica gets the work item next, from the last stored page: nothing stored is
 * fetched again, nothing is skipped. New rows are then published on the normal md.* subjects
 * with `backfilled: true`. A gap heal ends with a `healed` or `unhealable` status event.
 */
export class RecordedJobRunner {
  /** Jobs whose pages came from the exchange simulator (their status event says so). */
  private readonly simulated = new Set<string>();

  constructor(
    private readonly deps: {
      sql: Sql;
      /** Stored instruments (contract values of contract-sized venues). */
      redis: Redis;
      clients: ExchangeClients;
      publisher: JetStreamPublisher;
      metrics: JobMetrics;
      log: Logger;
      /** This process's identity in `jobs.owner`. */
      owner: string;
      /** A running job whose owner is silent this long is taken over. */
      leaseMs: number;
      /** Candle intervals a gap heal restores. */
      healIntervals: readonly CandleInterval[];
      /** A gap heal waits at most this long after the gap's end for the live stream to pass it. */
      liveEdgeWaitMs: number;
      /** The storage-writer's progress: a heal waits for it to store what the stream held. */
      writer?: WriterProgress;
      /** The longest a heal waits for a writer that is still working through the stream. */
      writerWaitMs?: number;
    },
  ) {}

  readonly run = async (item: RecordedJobItem, signal: AbortSignal): Promise<JobHandlerResult> => {
    const { sql, owner, leaseMs } = this.deps;
    const record = await selectJobRecord(sql, item.id);
    if (record === undefined) {
      // Not in our database: another deployment's scheduler on this NATS may own it. Hand it
      // back (the queue drops it after its delivery limit).
      this.deps.log.warn("work item for a job this database does not have; handed back", { id: item.id });
      return { retryInMs: 2000 };
    }
    const claimed = await claimJob(sql, item.id, owner, leaseMs);
    if (claimed === null) {
      // Ended (nothing to do) or held by a live replica (look again once its lease could lapse).
      return record.state === "queued" || record.state === "running" ? { retryInMs: leaseMs } : undefined;
    }
    const log = this.deps.log.child({ job: record.id, kind: record.kind, market: record.market });
    const local = new AbortController();
    const jobSignal = AbortSignal.any([signal, local.signal]);
    const lease = setInterval(() => {
      touchJob(sql, record.id, owner)
        .then((mine) => {
          if (!mine) local.abort(new JobCancelled("cancelled or taken over"));
        })
        .catch(() => {});
    }, leaseMs / 3);
    const started = performance.now();
    try {
      const cp = this.checkpointOf(claimed.checkpoint);
      if (record.kind === "gap-heal" && cp.phase === 0) await this.waitForLiveEdge(record, jobSignal);
      await this.runPages(record, cp, jobSignal, log);
      await this.finish(record, cp);
      this.deps.metrics.jobSeconds.observe(
        { kind: record.kind, outcome: "done" },
        (performance.now() - started) / 1000,
      );
      log.info("job done", { ms: Math.round(performance.now() - started) });
    } catch (err) {
      if (err instanceof JobCancelled || local.signal.aborted) {
        log.info("job cancelled");
        this.deps.metrics.jobSeconds.observe(
          { kind: record.kind, outcome: "cancelled" },
          (performance.now() - started) / 1000,
        );
        return;
      }
      if (signal.aborted) throw err; // stopping: the item goes back to the queue
      const message = err instanceof Error ? err.message : String(err);
      await recordJobError(sql, record.id, message).catch(() => {});
      if (isRetryable(err)) throw err; // the worker retries later, from the checkpoint
      await finishJob(sql, record.id, { state: "failed", detail: message });
      this.deps.metrics.jobSeconds.observe(
        { kind: record.kind, outcome: "failed" },
        (performance.now() - started) / 1000,
      );
      log.error("job failed", { err });
    } finally {
      clearInterval(lease);
    }
  };

  /**
   * REST trades near a gap's end may be live trades not yet stored: where REST times are coarser
   * than the stream's (WhiteBIT: whole seconds), a heal that stored them first made the live copies
   * look new (the long chaos profile stored ~90 WhiteBIT trades per ingestor kill twice). So a heal
   * starts once live trades are stored past the gap's end plus the time slack — or, for a market
   * gone quiet, once `liveEdgeWaitMs` have passed since the gap's end.
   */
  private async waitForLiveEdge(job: JobRecord, signal: AbortSignal): Promise<void> {
    const edge = job.to + REST_TIME_SLACK_MS;
    const deadline = job.to + this.deps.liveEdgeWaitMs;
    while (Date.now() < deadline) {
      if (await tradesStoredSince(this.deps.sql, job.exchange, job.market, edge)) break;
      signal.throwIfAborted();
      await Bun.sleep(250);
    }
    await this.waitForWriter(job, signal);
  }

  /**
   * The trades the stream held for the market when the heal began are stored before REST trades
   * are compared with them: a lagging writer's unwritten live trades would look missing, be
   * stored by the heal and published a second time.
   */
  private async waitForWriter(job: JobRecord, signal: AbortSignal): Promise<void> {
    const writer = this.deps.writer;
    if (!writer) return;
    const seq = await writer.lastTradeSeq(job.exchange, job.market);
    if (seq === undefined) return;
    const deadline = Date.now() + (this.deps.writerWaitMs ?? 120_000);
    while (Date.now() < deadline) {
      if ((await writer.storedThrough(seq)) !== "no") return;
      signal.throwIfAborted();
      await Bun.sleep(250);
    }
    this.deps.log.warn("gap heal did not wait longer for the storage-writer", {
      market: job.market,
      seq,
    });
  }

  private checkpointOf(stored: Record<string, unknown>): JobCheckpoint {
    const phase = typeof stored.phase === "number" ? stored.phase : 0;
    const parts = (typeof stored.parts === "object" && stored.parts !== null ? stored.parts : {}) as Record<
      string,
      Checkpoint
    >;
    return { phase, parts };
  }

  private pagers(job: JobRecord): Array<[string, Pager]> {
    const trades: [string, Pager] = ["trades", new TradePager(this.deps.sql)];
    switch (job.kind) {
      case "candles-backfill":
        return [[`candles:${job.interval}`, new CandlePager(job.interval as CandleInterval)]];
      case "trades-backfill":
        return [trades];
      case "gap-heal":
        return [
          trades,
          ...this.deps.healIntervals.map((i): [string, Pager] => [`candles:${i}`, new CandlePager(i)]),
        ];
      default:
        throw new TickerplantError("bad_job", `unknown job kind "${job.kind}"`, false);
    }
  }

  private client(job: JobRecord): ExchangeClient {
    const perp = job.market.endsWith("-PERP");
    const client = this.deps.clients
      .get(job.exchange)
      ?.find((c) => (perp ? c.adapter.marketType === "perp" : c.adapter.marketType === "spot"));
    if (client === undefined) {
      throw new TickerplantError(
        "unknown_exchange",
        `this scheduler has no REST client for ${job.exchange} ${perp ? "perpetuals" : "spot"}`,
        false,
      );
    }
    return client;
  }

  private async runPages(job: JobRecord, cp: JobCheckpoint, signal: AbortSignal, log: Logger): Promise<void> {
    const client = this.client(job);
    const pagers = this.pagers(job);
    const { contracts, missing } = await resolveContracts(
      this.deps.redis,
      client.adapter,
      client.executor,
      [job.market],
      signal,
      job.priority,
    );
    if (missing.length > 0) log.warn("no contract value for the market: its sizes stay in contracts");
    const contract = contracts.get(job.market);
    const ctx = { job, client, priority: job.priority, signal, ...(contract ? { contract } : {}) };
    for (; cp.phase < pagers.length; cp.phase++) {
      const [name, pager] = pagers[cp.phase] as [string, Pager];
      signal.throwIfAborted();
      let next = pager.next(cp.parts[name] ?? {}, ctx);
      for (;;) {
        const page = await next;
        if (page === null) break;
        signal.throwIfAborted();
        cp.parts[name] = page.checkpoint;
        // The next page is fetched while this one is stored and published: a pager needs only the
        // checkpoint. Stopped here (cancelled, crashed), that fetch is simply not stored.
        next = pager.next(page.checkpoint, ctx);
        next.catch(() => {});
        const { newTrades, candles } = await this.store(job, cp, page.trades, page.candles, page.weight);
        this.deps.metrics.pages.inc({ kind: job.kind, exchange: job.exchange });
        this.deps.metrics.rows.inc(
          { kind: job.kind, exchange: job.exchange, type: "trade" },
          newTrades.length,
        );
        this.deps.metrics.rows.inc({ kind: job.kind, exchange: job.exchange, type: "candle" }, candles);
        // A page's rows go out as event batches (one message per subject and turn, as the
        // ingestor's), acknowledged before the next page: a message per row kept the runner at a
        // few thousand rows/s, far below the exchanges' budgets (bench/backfill.ts).
        for (const t of newTrades)
          this.deps.publisher.publishEvent(subjectOf(t), JSON.stringify(t), messageId(t));
        for (const c of page.candles)
          this.deps.publisher.publishEvent(subjectOf(c), JSON.stringify(c), messageId(c));
        await this.deps.publisher.flush();
        if (page.trades.some((t) => t.simulated) || page.candles.some((c) => c.simulated))
          this.simulated.add(job.id);
        log.debug("page stored", { phase: name, trades: newTrades.length, candles });
      }
    }
  }

  /** Stores a page's rows and the checkpoint in one transaction; throws JobCancelled if cancelled. */
  private async store(
    job: JobRecord,
    cp: JobCheckpoint,
    trades: Trade[],
    candles: Candle[],
    weight: number,
  ): Promise<{ newTrades: Trade[]; candles: number }> {
    const result = await this.deps.sql.begin(async (tx) => {
      const newTrades = await insertNewTrades(tx, trades);
      const changed = await upsertCandles(tx, candles);
      const ok = await checkpointJob(tx, job.id, this.deps.owner, {
        checkpoint: { phase: cp.phase, parts: cp.parts },
        rows: newTrades.length + changed,
        weight,
      });
      if (!ok) throw new JobCancelled("cancelled or taken over");
      return { newTrades, candles: changed };
    });
    return result;
  }

  private async publish(msg: NormalizedMessage): Promise<void> {
    await this.deps.publisher.publish(subjectOf(msg), JSON.stringify(msg), messageId(msg));
  }

  /** Ends the job; a gap heal says how it went in a status event (published and stored). */
  private async finish(job: JobRecord, cp: JobCheckpoint): Promise<void> {
    const trades = cp.parts.trades;
    const missing = Number(trades?.missing ?? 0);
    const reason = typeof trades?.reason === "string" ? trades.reason : undefined;
    const counts: Record<string, number> = {};
    for (const [name, part] of Object.entries(cp.parts)) {
      counts[name] = Number(name === "trades" ? (part.trades ?? 0) : (part.candles ?? 0));
    }
    const healed = missing === 0;
    const outcome =
      job.kind === "gap-heal" ? (healed ? "healed" : "unhealable") : healed ? "complete" : "partial";
    const detail = healed
      ? Object.entries(counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(", ")
      : (reason ?? "some rows cannot be fetched");
    await finishJob(this.deps.sql, job.id, { state: "done", outcome, detail });
    await this.deps.publisher.flush();
    if (job.kind !== "gap-heal") return;
    const client = this.client(job);
    const now = Date.now();
    const event: Status = {
      type: "status",
      exchange: job.exchange,
      market: job.market,
      symbol: client.adapter.symbolOf(job.market),
      ts: now,
      recvTs: now,
      event: healed ? "healed" : "unhealable",
      detail: healed ? `healed: ${detail}` : detail,
      channels: ["trade", "candle"],
      from: job.from,
      to: job.to,
      counts,
      ...(this.simulated.has(job.id) ? { simulated: true } : {}),
    };
    this.simulated.delete(job.id);
    await insertStatusEvents(this.deps.sql, [event]);
    await this.publish(event);
    await this.deps.publisher.flush();
    this.deps.metrics.heals.inc({ exchange: job.exchange, outcome: event.event });
  }
}
