import type { JsMsg } from "@nats-io/jetstream";
import { newJobId, ParseError, type Status } from "@tickerplant/core";
import { enqueueJob, gapKey } from "@tickerplant/db";
import {
  BatchConsumer,
  ensureDurableConsumer,
  eventTexts,
  type JetStreamPublisher,
  type Logger,
  type Nats,
  type Sql,
} from "@tickerplant/runtime";
import type { Registry } from "prom-client";

/**
 * Every `gap` status event (md.status.>) becomes a gap-heal job for its market and window,
 * recorded once per gap (however many schedulers or redeliveries see it) and queued at
 * immediate priority. A connection-wide gap (market `*`) heals every market of that exchange
 * that had trades stored in the hour before it.
 */
export class GapWatcher {
  private consumer: BatchConsumer<Status> | undefined;

  constructor(
    private readonly deps: {
      nats: Nats;
      sql: Sql;
      publisher: JetStreamPublisher;
      registry: Registry;
      log: Logger;
      exchanges: readonly string[];
      /** The JOBS subject of a kind (tests use their own queue). */
      subjectOf: (kind: string) => string;
      durable?: string;
      stream?: string;
      filterSubject?: string;
    },
  ) {}

  async start(): Promise<void> {
    const stream = this.deps.stream ?? "MD_STATUS";
    const durable = this.deps.durable ?? "scheduler-gaps";
    await ensureDurableConsumer(this.deps.nats.jsm, {
      stream,
      durable,
      filterSubject: this.deps.filterSubject ?? "md.status.>",
      deliver: "new",
      ackWaitMs: 30_000,
    });
    this.consumer = new BatchConsumer<Status>({
      js: this.deps.nats.js,
      stream,
      durable,
      batchSize: 100,
      flushIntervalMs: 100,
      decode: (msg: JsMsg) => decodeGaps(msg),
      handle: async (items) => {
        for (const gap of items) await this.heal(gap);
        await this.deps.publisher.flush();
      },
      registry: this.deps.registry,
      log: this.deps.log,
    });
    await this.consumer.start();
  }

  private async heal(gap: Status): Promise<void> {
    if (!this.deps.exchanges.includes(gap.exchange)) return;
    if (gap.from === undefined || gap.to === undefined || gap.to <= gap.from) {
      this.deps.log.warn("gap without a window; cannot heal", { exchange: gap.exchange, market: gap.market });
      return;
    }
    const markets = gap.market === "*" ? await this.recentMarkets(gap.exchange, gap.from) : [gap.market];
    for (const market of markets) {
      const key = gapKey({ exchange: gap.exchange, market: gap.market, from: gap.from, to: gap.to });
      const added = await enqueueJob(
        this.deps.sql,
        (subject, data, msgId) => this.deps.publisher.publish(subject, data, msgId),
        {
          id: newJobId(),
          kind: "gap-heal",
          priority: "immediate",
          exchange: gap.exchange,
          market,
          interval: null,
          from: gap.from,
          to: gap.to,
          pagesTotal: 2,
          gapKey: gap.market === "*" ? `${key}|${market}` : key,
          detail: gap.detail,
        },
        this.deps.subjectOf,
      );
      if (added)
        this.deps.log.info("gap heal queued", { exchange: gap.exchange, market, from: gap.from, to: gap.to });
    }
  }

  private async recentMarkets(exchange: string, from: number): Promise<string[]> {
    const rows = await this.deps.sql<{ market: string }[]>`
      select distinct market from trades
      where exchange = ${exchange} and time > ${new Date(from - 3_600_000).toISOString()}::timestamptz
        and time < ${new Date(from).toISOString()}::timestamptz`;
    return rows.map((r) => r.market);
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }
}

/** The `gap` status events a message carries (one event, or a batch of them). */
function decodeGaps(msg: JsMsg): Status[] {
  const out: Status[] = [];
  for (const text of eventTexts(msg)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new ParseError("status: not JSON", { cause });
    }
    const s = value as Partial<Status>;
    if (
      s.type === "status" &&
      s.event === "gap" &&
      typeof s.exchange === "string" &&
      typeof s.market === "string"
    )
      out.push(s as Status);
  }
  return out;
}
