import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import type { Logger } from "./logger.ts";

const NS_PER_MS = 1_000_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

export interface StreamOptions {
  replicas: number;
  tradesRetentionDays: number;
}

/** The one table of JetStream streams. */
export function streamDefinitions(
  o: StreamOptions,
): Array<Partial<StreamConfig> & { name: string; subjects: string[] }> {
  const common = {
    storage: StorageType.File,
    num_replicas: o.replicas,
    duplicate_window: 2 * MINUTE * NS_PER_MS,
    discard: DiscardPolicy.Old,
  };
  return [
    {
      name: "MD_TRADES",
      subjects: ["md.trade.>"],
      max_age: o.tradesRetentionDays * DAY * NS_PER_MS,
      ...common,
    },
    { name: "MD_QUOTES", subjects: ["md.bbo.>", "md.ticker.>"], max_msgs_per_subject: 100, ...common },
    { name: "MD_CANDLES", subjects: ["md.candle.>"], max_age: 7 * DAY * NS_PER_MS, ...common },
    { name: "MD_BOOKS", subjects: ["md.book.>"], max_age: 60 * MINUTE * NS_PER_MS, ...common },
    {
      name: "MD_DERIV",
      subjects: ["md.deriv.>", "md.liquidation.>"],
      max_age: 7 * DAY * NS_PER_MS,
      ...common,
    },
    { name: "MD_STATUS", subjects: ["md.status.>"], max_age: 30 * DAY * NS_PER_MS, ...common },
    { name: "ANALYTICS", subjects: ["an.>"], max_msgs_per_subject: 100, ...common },
    { name: "JOBS", subjects: ["jobs.>"], retention: RetentionPolicy.Workqueue, ...common },
  ];
}

/** Creates missing streams and updates changed ones; safe to run from every service at start. */
export async function provisionStreams(jsm: JetStreamManager, o: StreamOptions, log: Logger): Promise<void> {
  for (const def of streamDefinitions(o)) {
    try {
      await jsm.streams.info(def.name);
      const { retention: _fixed, storage: _storage, ...mutable } = def;
      await jsm.streams.update(def.name, mutable);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await jsm.streams.add(def);
        log.info("stream created", { stream: def.name, subjects: def.subjects });
      } catch (addErr) {
        // Another service created it between our info and add.
        if (!String(addErr).includes("already in use")) throw addErr;
      }
    }
  }
}

function isNotFound(err: unknown): boolean {
  return String((err as Error)?.message ?? err).includes("not found");
}

export interface DurableConsumerSpec {
  stream: string;
  durable: string;
  filterSubject: string;
  maxAckPending?: number;
  ackWaitMs?: number;
  maxDeliver?: number;
  /** Where a new consumer starts: the whole stream (default) or only messages from now on. */
  deliver?: "all" | "new";
}

/** Creates or updates a durable pull consumer. */
export async function ensureDurableConsumer(jsm: JetStreamManager, spec: DurableConsumerSpec): Promise<void> {
  const config = {
    durable_name: spec.durable,
    filter_subject: spec.filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: spec.deliver === "new" ? DeliverPolicy.New : DeliverPolicy.All,
    ack_wait: (spec.ackWaitMs ?? 30_000) * NS_PER_MS,
    max_ack_pending: spec.maxAckPending ?? 20_000,
    max_deliver: spec.maxDeliver ?? -1,
  };
  try {
    await jsm.consumers.info(spec.stream, spec.durable);
    const { durable_name: _d, deliver_policy: _p, ack_policy: _a, ...mutable } = config;
    await jsm.consumers.update(spec.stream, spec.durable, mutable);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(spec.stream, config);
  }
}
