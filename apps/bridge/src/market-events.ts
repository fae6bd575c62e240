import type { Subscription } from "@nats-io/transport-node";
import type { NormalizedMessage } from "@tickerplant/core";
import type { Logger, Nats } from "@tickerplant/runtime";
import type { Counter } from "prom-client";

/**
 * Normalized market data as the bridges see it: a plain NATS subscription on `md.>` (the ingestor
 * publishes to JetStream, which core subscribers also receive). Best effort by design: bridges
 * forward the newest values; history is the storage-writer's job. A payload that is not a
 * normalized message (or a list of them) is counted and skipped.
 */
export class MarketEvents {
  private sub: Subscription | undefined;
  private done: Promise<void> | undefined;

  constructor(
    private readonly o: {
      nats: Nats;
      subject?: string;
      /** `raw` is the message's own JSON when the NATS payload held just that message. */
      onMessage(subject: string, msg: NormalizedMessage, raw: Uint8Array | undefined): void;
      invalid: Counter<"reason">;
      log: Logger;
    },
  ) {}

  start(): void {
    const sub = this.o.nats.nc.subscribe(this.o.subject ?? "md.>");
    this.sub = sub;
    this.done = (async () => {
      for await (const m of sub) {
        let value: unknown;
        try {
          value = m.json();
        } catch {
          this.o.invalid.inc({ reason: "not_json" });
          continue;
        }
        const list = Array.isArray(value) ? value : [value];
        for (const msg of list) {
          if (
            msg === null ||
            typeof msg !== "object" ||
            typeof (msg as { type?: unknown }).type !== "string"
          ) {
            this.o.invalid.inc({ reason: "not_a_message" });
            continue;
          }
          try {
            this.o.onMessage(m.subject, msg as NormalizedMessage, list.length === 1 ? m.data : undefined);
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
