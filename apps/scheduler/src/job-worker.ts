import type { ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import { isRetryable } from "@tickerplant/core";
import { ensureDurableConsumer, type Logger, type Nats } from "@tickerplant/runtime";
import { Counter, type Registry } from "prom-client";
import { decodeJob, type Job, type JobKind, type JobQueue } from "./jobs.ts";

export type JobHandler<K extends JobKind = JobKind> = (
  job: Extract<Job, { kind: K }>,
  signal: AbortSignal,
) => Promise<void>;
export type JobHandlers = { [K in JobKind]: JobHandler<K> };

const ACK_WAIT_MS = 60_000;

/**
 * Pulls work items one at a time from the shared durable consumer, so several scheduler instances
 * split the queue. A running job tells the server it is still working (jobs can wait minutes for
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

  constructor(
    private readonly deps: {
      nats: Nats;
      queue: JobQueue;
      handlers: JobHandlers;
      registry: Registry;
      log: Logger;
      retryDelayMs?: number;
      maxDeliver?: number;
    },
  ) {
    this.maxDeliver = deps.maxDeliver ?? 20;
    this.runs = new Counter({
      name: "tickerplant_scheduler_jobs_total",
      help: "scheduler jobs run, by kind and outcome (ok, retry, failed, invalid)",
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
      ackWaitMs: ACK_WAIT_MS,
      maxAckPending: 100,
      maxDeliver: this.maxDeliver,
    });
    const consumer = await this.deps.nats.js.consumers.get(stream, durable);
    this.messages = await consumer.consume({ max_messages: 1 });
    this.loop = this.run(this.messages);
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      if (this.abort.signal.aborted) {
        msg.nak();
        continue;
      }
      await this.execute(msg);
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
    const heartbeat = setInterval(() => msg.working(), ACK_WAIT_MS / 3);
    const started = performance.now();
    try {
      const handler = this.deps.handlers[job.kind] as JobHandler;
      await handler(job, this.abort.signal);
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
    await this.loop?.catch(() => {});
  }
}
