import { type ConsumerMessages, DeliverPolicy, type JsMsg } from "@nats-io/jetstream";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { type Bbo, BboSchema, type Status, StatusSchema, type Ticker, TickerSchema } from "@tickerplant/core";
import { eventTexts, type Logger, type Nats } from "@tickerplant/runtime";
import type { Counter } from "prom-client";

const checks = {
  bbo: TypeCompiler.Compile(BboSchema),
  ticker: TypeCompiler.Compile(TickerSchema),
  status: TypeCompiler.Compile(StatusSchema),
};

type Kind = keyof typeof checks;
export type ReaderMessage = Bbo | Ticker | Status;

const FEEDS: Array<{ kind: Kind; stream: string; filter: string }> = [
  { kind: "bbo", stream: "MD_QUOTES", filter: "md.bbo.>" },
  { kind: "ticker", stream: "MD_QUOTES", filter: "md.ticker.>" },
  { kind: "status", stream: "MD_STATUS", filter: "md.status.>" },
];

/** The events one JetStream message carries (event batches: docs/architecture.md). */
function decode(msg: JsMsg): unknown[] {
  return eventTexts(msg).map((text) => JSON.parse(text));
}

/**
 * Follows bbo, ticker and status messages with ordered (ephemeral) consumers that start at the last
 * message of each subject, so a (re)started replica knows every market's current quote and status
 * at once. Every replica reads them: a standby is warm when it takes over.
 */
export class MarketReader {
  private readonly feeds: ConsumerMessages[] = [];
  private stopped = false;

  constructor(
    private readonly deps: {
      nats: Nats;
      log: Logger;
      invalid: Counter;
      onMessage(m: ReaderMessage): void;
      /** Tests narrow the filters to their own exchange. */
      exchange?: string;
    },
  ) {}

  async start(): Promise<void> {
    for (const f of FEEDS) {
      const filter = this.deps.exchange ? `${f.filter.slice(0, -1)}${this.deps.exchange}.>` : f.filter;
      const consumer = await this.deps.nats.js.consumers.get(f.stream, {
        filter_subjects: filter,
        deliver_policy: DeliverPolicy.LastPerSubject,
      });
      const messages = await consumer.consume({ max_messages: 1000 });
      this.feeds.push(messages);
      void this.loop(f.kind, messages);
    }
  }

  private async loop(kind: Kind, messages: ConsumerMessages): Promise<void> {
    try {
      for await (const msg of messages) {
        let values: unknown[];
        try {
          values = decode(msg);
        } catch {
          this.deps.invalid.inc({ kind });
          continue;
        }
        for (const v of values) {
          if (!checks[kind].Check(v)) {
            this.deps.invalid.inc({ kind });
            continue;
          }
          this.deps.onMessage(v as ReaderMessage);
        }
      }
    } catch (err) {
      if (!this.stopped) this.deps.log.error("market reader stopped", { kind, err });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const m of this.feeds) m.stop();
  }
}
