import type { ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import { isRetryable } from "@tickerplant/core";
import { ensureDurableConsumer, type Logger, type Nats } from "@tickerplant/runtime";
import { Counter, type Registry } from "prom-client";
import { decodeJob, type Job, type JobKind, type JobQueue } from "./jobs.ts";

/** A handler may hand the item back for later (e.g. another live replica holds the job). */
export type JobHandlerResult = void | { retryInMs: number };
export type JobHandler<K extends JobKind = JobKind> = (
  job: Extract<Job, { kind: K }>,
  signal: AbortSignal,
) => Promise<JobHandlerResult>;
/** Kinds without a handler are acked and counted as `unhandled` (this build does not run them). */
export type JobHandlers = { [K in JobKind]?: JobHandler<K> };

export const DEFAULT_ACK_WAIT_MS = 30_000;

/**
 * Pulls work items from the shared durable consumer, at most `concurrency` at once, so several
 * scheduler instances split the queue and a long backfill never keeps a heal from starting (the
 * weight budget then lets the higher priority go first). A running job tells the server it is still working (jobs can wait minutes for
 * a rate-limit window); a retryable failure is naked for a later retry, a permanent one
 * dropped. Stopping aborts the running job and hands it back to the queue.
 *
 * `drop`: a work item that can never succeed is acked (after logging and counting it), not
 * terminated: NATS 2.9 keeps terminated messages in a work-queue stream forever.
 */
export class JobWorker {
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private readonly runs: Counter;
  private readonly maxDeliver: number;
  private readonly ackWaitMs: number;
  private readonly concurrency: number;
  private running = 0;
  private slotFreed: (() => void) | undefined;
  private readonly active = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      nats: Nats;
      queue: JobQueue;
      handlers: JobHandlers;
      registry: Registry;
      log: Logger;
      retryDelayMs?: number;
      maxDeliver?: number;
      ackWaitMs?: number;
      concurrency?: number;
    },
  ) {
    this.maxDeliver = deps.maxDeliver ?? 20;
    this.ackWaitMs = deps.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
    this.concurrency = Math.max(1, deps.concurrency ?? 4);
    this.runs = new Counter({
      name: "tickerplant_scheduler_jobs_total",
      help: "scheduler work items run, by kind and outcome (ok, retry, deferred, failed, invalid)",
      labelNames: ["kind", "outcome"],
      registers: [deps.registry],
    });
  }

  async start(): Promise<void> {
    const { stream, durable, filterSubject } = this.deps.queue;
    await ensureDurableConsumer(this.deps.nats.jsm, {
      stream,
      durable,
      filterSubject,
      ackWaitMs: this.ackWaitMs,
      maxAckPending: 100,
      maxDeliver: this.maxDeliver,
    });
    const consumer = await this.deps.nats.js.consumers.get(stream, durable);
    this.messages = await consumer.consume({ max_messages: this.concurrency });
    this.loop = this.run(this.messages);
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      if (this.abort.signal.aborted) {
        msg.nak();
        continue;
      }
      while (this.running >= this.concurrency) {
        await new Promise<void>((resolve) => {
          this.slotFreed = resolve;
        });
      }
      this.running++;
      const run = this.execute(msg).finally(() => {
        this.running--;
        this.active.delete(run);
        this.slotFreed?.();
        this.slotFreed = undefined;
      });
      this.active.add(run);
    }
  }

  private async execute(msg: JsMsg): Promise<void> {
    let job: Job;
    try {
      job = decodeJob(msg.data);
    } catch (err) {
      this.deps.log.warn("dropping invalid work item", { subject: msg.subject, err });
      msg.ack(); // see `drop`
      this.runs.inc({ kind: "unknown", outcome: "invalid" });
      return;
    }
    const log = this.deps.log.child({
      job: job.kind,
      exchange: job.exchange,
      attempt: msg.info.deliveryCount,
    });
    const heartbeat = setInterval(() => msg.working(), this.ackWaitMs / 3);
    const started = performance.now();
    try {
      const handler = this.deps.handlers[job.kind] as JobHandler | undefined;
      if (handler === undefined) {
        msg.ack();
        this.runs.inc({ kind: job.kind, outcome: "unhandled" });
        log.warn("no handler for this kind of work item; dropped");
        return;
      }
      const result = await handler(job, this.abort.signal);
      if (result && "retryInMs" in result) {
        msg.nak(result.retryInMs);
        this.runs.inc({ kind: job.kind, outcome: "deferred" });
        return;
      }
      msg.ack();
      this.runs.inc({ kind: job.kind, outcome: "ok" });
      log.info("job done", { ms: Math.round(performance.now() - started) });
    } catch (err) {
      if (this.abort.signal.aborted) {
        msg.nak(); // stopping: another instance takes it now
        this.runs.inc({ kind: job.kind, outcome: "retry" });
      } else if (isRetryable(err) && msg.info.deliveryCount < this.maxDeliver) {
        msg.nak(this.deps.retryDelayMs ?? 30_000);
        this.runs.inc({ kind: job.kind, outcome: "retry" });
        log.warn("job failed; will retry", { err });
      } else {
        msg.ack(); // see `drop`
        this.runs.inc({ kind: job.kind, outcome: "failed" });
        log.error("job failed permanently", { err });
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.messages?.close();
    this.slotFreed?.();
    await this.loop?.catch(() => {});
    await Promise.allSettled([...this.active]);
  }
}
