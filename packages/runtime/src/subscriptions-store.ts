import { jetstream } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { Value } from "@sinclair/typebox/value";
import { type SubscriptionEntry, SubscriptionEntrySchema } from "@tickerplant/core";
import type { Logger } from "./logger.ts";
import { JS_API_TIMEOUT_MS, type Nats } from "./nats.ts";

export const SUBSCRIPTIONS_BUCKET = "subscriptions";

/**
 * Desired ingestion state in the `subscriptions` KV bucket, one key per `<exchange>.<market>`.
 * Written by operators (the gateway's admin API); watched by ingestors, which reconcile.
 */
export class SubscriptionsStore {
  private constructor(
    private readonly kv: KV,
    private readonly log: Logger,
  ) {}

  static async open(nats: Nats, replicas: number, log: Logger): Promise<SubscriptionsStore> {
    const kv = await new Kvm(jetstream(nats.nc, { timeout: JS_API_TIMEOUT_MS })).create(
      SUBSCRIPTIONS_BUCKET,
      { replicas, history: 1 },
    );
    return new SubscriptionsStore(kv, log);
  }

  static key(exchange: string, market: string): string {
    return `${exchange}.${market}`;
  }

  async put(entry: SubscriptionEntry): Promise<void> {
    await this.kv.put(SubscriptionsStore.key(entry.exchange, entry.market), JSON.stringify(entry));
  }

  async delete(exchange: string, market: string): Promise<void> {
    await this.kv.delete(SubscriptionsStore.key(exchange, market));
  }

  private decode(key: string, data: Uint8Array): SubscriptionEntry | undefined {
    try {
      const value = JSON.parse(new TextDecoder().decode(data));
      if (Value.Check(SubscriptionEntrySchema, value)) return value;
    } catch {
      // fall through
    }
    this.log.warn("ignoring an invalid subscriptions entry", { key });
    return undefined;
  }

  async list(): Promise<SubscriptionEntry[]> {
    const out: SubscriptionEntry[] = [];
    for await (const key of await this.kv.keys()) {
      const e = await this.kv.get(key);
      if (e && e.operation === "PUT") {
        const entry = this.decode(key, e.value);
        if (entry) out.push(entry);
      }
    }
    return out.sort((a, b) =>
      SubscriptionsStore.key(a.exchange, a.market).localeCompare(
        SubscriptionsStore.key(b.exchange, b.market),
      ),
    );
  }

  /** Calls `onChange` with the whole desired set now and after every change. Returns a stop function. */
  async watch(onChange: (entries: SubscriptionEntry[]) => void): Promise<() => void> {
    const current = new Map<string, SubscriptionEntry>();
    const iter = await this.kv.watch();
    let initialDone = false;
    const emit = () => onChange([...current.values()]);
    void (async () => {
      for await (const e of iter) {
        if (e.operation === "PUT") {
          const entry = this.decode(e.key, e.value);
          if (entry) current.set(e.key, entry);
          else current.delete(e.key);
        } else {
          current.delete(e.key);
        }
        if (initialDone || e.delta === 0) {
          initialDone = true;
          emit();
        }
      }
    })();
    // An empty bucket has no initial entries to mark the end of the history.
    if ((await this.kv.status()).values === 0) {
      initialDone = true;
      emit();
    }
    return () => iter.stop();
  }
}
