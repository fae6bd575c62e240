import type { RecordedJobItem } from "@tickerplant/core";
import type { JetStreamPublisher, Logger, Sql } from "@tickerplant/runtime";

/**
 * Puts a recorded job's work item back on the queue when nobody has touched the job for two
 * leases (its item was lost: taken by a scheduler of another deployment on the same NATS, or its
 * owner died after the item's delivery limit). The claim's lease keeps a live owner's job its own.
 */
export class JobSweeper {
  private timer: Timer | undefined;

  constructor(
    private readonly deps: {
      sql: Sql;
      publisher: JetStreamPublisher;
      subjectOf: (kind: string) => string;
      exchanges: readonly string[];
      leaseMs: number;
      log: Logger;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((err) => this.deps.log.warn("job sweep failed", { err }));
    }, this.deps.leaseMs);
  }

  async sweep(): Promise<number> {
    const { sql, leaseMs } = this.deps;
    const rows = await sql<RecordedJobItem[]>`
      update jobs set updated_at = now()
      where state in ('queued', 'running') and exchange = any(${[...this.deps.exchanges]})
        and updated_at < now() - make_interval(secs => ${(2 * leaseMs) / 1000})
      returning id, kind, exchange, priority`;
    const round = Math.floor(Date.now() / leaseMs);
    for (const r of rows) {
      const item: RecordedJobItem = { kind: r.kind, id: r.id, exchange: r.exchange, priority: r.priority };
      await this.deps.publisher.publish(
        this.deps.subjectOf(r.kind),
        JSON.stringify(item),
        `job:${r.id}:${round}`,
      );
    }
    if (rows.length > 0) {
      await this.deps.publisher.flush();
      this.deps.log.info("stalled jobs queued again", { jobs: rows.map((r) => r.id) });
    }
    return rows.length;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
