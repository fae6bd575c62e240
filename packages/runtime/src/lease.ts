import { type KV, Kvm } from "@nats-io/kv";
import type { Logger } from "./logger.ts";
import type { Nats } from "./nats.ts";

export const LEASES_BUCKET = "leases";

export interface LeaseOptions {
  nats: Nats;
  /** The key in the `leases` bucket, e.g. "analyzer". */
  name: string;
  /** This replica's id (written into the lease). */
  holder: string;
  /** A lease not renewed for this long may be taken over. */
  ttlMs: number;
  /** How often the holder renews and a standby checks. */
  renewMs: number;
  replicas?: number;
  log: Logger;
  /** Called on every change of `held`; a promise is awaited before the next round. */
  onChange(held: boolean): void | Promise<void>;
}

/**
 * One active replica at a time, with a lease in NATS KV. The holder renews with a compare-and-set
 * on the revision it last wrote; a standby takes over (compare-and-set on the revision it saw) when
 * that revision has not changed for `ttlMs` by its own clock, so no clocks are compared across
 * hosts. The holder counts itself active only while its last successful renewal is younger than
 * `ttlMs - renewMs`, so it steps down before any standby may take over.
 */
export class Lease {
  private kv: KV | undefined;
  private timer: Timer | undefined;
  private revision = 0;
  private renewedAt = Number.NEGATIVE_INFINITY;
  private seen: { revision: number; since: number } = { revision: -1, since: 0 };
  private active = false;
  private round: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly o: LeaseOptions) {}

  /** True while this replica holds a fresh lease. */
  get held(): boolean {
    return this.active && performance.now() - this.renewedAt < this.o.ttlMs - this.o.renewMs;
  }

  async start(): Promise<void> {
    this.kv = await new Kvm(this.o.nats.nc).create(LEASES_BUCKET, {
      replicas: this.o.replicas ?? 1,
      history: 1,
    });
    await this.tick();
    this.timer = setInterval(() => {
      this.round = this.round.then(() => this.tick());
    }, this.o.renewMs);
  }

  private value(): string {
    return JSON.stringify({ holder: this.o.holder, renewedAt: Date.now() });
  }

  private async tick(): Promise<void> {
    if (this.stopped || !this.kv) return;
    const now = performance.now();
    let held = false;
    try {
      if (this.active) {
        this.revision = await this.kv.update(this.o.name, this.value(), this.revision);
        this.renewedAt = now;
        held = true;
      } else {
        const entry = await this.kv.get(this.o.name);
        if (entry === null || entry.operation !== "PUT") {
          this.revision = await this.kv.create(this.o.name, this.value());
          held = true;
        } else if (entry.revision !== this.seen.revision) {
          this.seen = { revision: entry.revision, since: now };
        } else if (now - this.seen.since >= this.o.ttlMs) {
          this.o.log.warn("lease expired; taking over", { lease: this.o.name, from: entry.string() });
          this.revision = await this.kv.update(this.o.name, this.value(), entry.revision);
          held = true;
        }
        if (held) this.renewedAt = now;
      }
    } catch (err) {
      // A lost compare-and-set means someone else holds it; anything else is a failed renewal.
      if (this.active) this.o.log.warn("lease renewal failed", { lease: this.o.name, err });
      held = false;
      this.seen = { revision: -1, since: now };
    }
    if (held !== this.active) {
      this.active = held;
      this.o.log.info(held ? "lease acquired: active" : "lease lost: standby", {
        lease: this.o.name,
        holder: this.o.holder,
      });
      await Promise.resolve(this.o.onChange(held)).catch((err) =>
        this.o.log.error("lease change handler failed", { err }),
      );
    }
  }

  /** Stops renewing and, when held, deletes the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.round;
    if (this.active && this.kv)
      await this.kv.delete(this.o.name, { previousSeq: this.revision }).catch(() => {});
    this.active = false;
  }
}
