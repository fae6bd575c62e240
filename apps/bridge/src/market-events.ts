import type { Subscription } from "@nats-io/transport-node";
import type { NormalizedMessage } from "@tickerplant/core";
import { eventTexts, type Logger, type Nats } from "@tickerplant/runtime";
import type { Counter } from "prom-client";

/**
 * Normalized market data as the bridges see it: a plain NATS subscription on `md.>` (the ingestor
 * publishes to JetStream, which core subscribers also receive). Best effort by design: bridges
 * forward the newest values; history is the storage-writer's job. A payload that is not a
 * normalized message is counted and skipped. A message may carry several events (event batches,
 * `Tp-Events: 1`, NDJSON): each is handed on alone.
 */
export class MarketEvents {
  private sub: Subscription | undefined;
  private done: Promise<void> | undefined;

  constructor(
    private readonly o: {
      nats: Nats;
      subject?: string;
      /** `raw` is the event's own JSON text. */
      onMessage(subject: string, msg: NormalizedMessage, raw: Uint8Array): void;
      invalid: Counter<"reason">;
      log: Logger;
    },
  ) {}

  start(): void {
    const sub = this.o.nats.nc.subscribe(this.o.subject ?? "md.>");
    this.sub = sub;
    this.done = (async () => {
      const encoder = new TextEncoder();
      for await (const m of sub) {
        let texts: string[];
        try {
          texts = eventTexts(m);
        } catch {
          this.o.invalid.inc({ reason: "unknown_format" });
          continue;
        }
        for (const text of texts) {
          let msg: unknown;
          try {
            msg = JSON.parse(text);
          } catch {
            this.o.invalid.inc({ reason: "not_json" });
            continue;
          }
          if (
            msg === null ||
            typeof msg !== "object" ||
            typeof (msg as { type?: unknown }).type !== "string"
          ) {
            this.o.invalid.inc({ reason: "not_a_message" });
            continue;
          }
          try {
            this.o.onMessage(
              m.subject,
              msg as NormalizedMessage,
              texts.length === 1 ? m.data : encoder.encode(text),
            );
          } catch (err) {
            this.o.invalid.inc({ reason: "sink_error" });
            this.o.log.warn("bridge sink failed on a message", { subject: m.subject, err });
          }
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.sub?.unsubscribe();
    await this.done;
  }
}
