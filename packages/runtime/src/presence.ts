import { hostname } from "node:os";
import { redisKeys } from "@tickerplant/core";
import type { Logger } from "./logger.ts";
import type { Redis } from "./redis.ts";

/** What a running service says about itself, every few seconds, in Redis `service:<name>:<instance>`. */
export interface ServiceRecord {
  service: string;
  instance: string;
  version: string;
  startedAt: number;
  updatedAt: number;
  /** Service-specific detail (the ingestor's exchanges, the gateway's clients, ...). */
  info: Record<string, unknown>;
}

/** The default instance id: unique per process on a host (a pod name is a hostname). */
export const instanceId = () => `${hostname()}-${process.pid}`;

/**
 * Keeps this process's ServiceRecord in Redis with a TTL of three intervals: a service that stops
 * or dies disappears from `/api/v1/status` on its own. Services do not call each other over HTTP;
 * this is how the gateway knows who is running.
 */
export class ServicePresence {
  private timer: Timer | undefined;
  private readonly startedAt = Date.now();
  private readonly key: string;
  private readonly instance: string;

  constructor(
    private readonly o: {
      redis: Redis;
      service: string;
      instance?: string;
      version?: string;
      intervalMs?: number;
      info?: () => Record<string, unknown>;
      log: Logger;
    },
  ) {
    this.instance = o.instance ?? instanceId();
    this.key = redisKeys.service(o.service, this.instance);
  }

  private get intervalMs() {
    return this.o.intervalMs ?? 5000;
  }

  async beat(): Promise<void> {
    const record: ServiceRecord = {
      service: this.o.service,
      instance: this.instance,
      version: this.o.version ?? "0.1.0",
      startedAt: this.startedAt,
      updatedAt: Date.now(),
      info: this.o.info?.() ?? {},
    };
    await this.o.redis.set(this.key, JSON.stringify(record), "PX", this.intervalMs * 3);
  }

  start(): void {
    const tick = () =>
      this.beat().catch((err) => this.o.log.warn("presence heartbeat failed", { key: this.key, err }));
    void tick();
    this.timer = setInterval(tick, this.intervalMs);
  }

  /** Removes the record so status shows the service gone at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.o.redis.del(this.key).catch(() => {});
  }
}

/** Every live ServiceRecord (records that do not parse are skipped). */
export async function readServiceRecords(redis: Redis): Promise<ServiceRecord[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", redisKeys.service("*", "*"), "COUNT", 200);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== "0");
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  const out: ServiceRecord[] = [];
  for (const v of values) {
    if (v === null) continue;
    try {
      const r = JSON.parse(v) as ServiceRecord;
      if (typeof r.service === "string" && typeof r.updatedAt === "number") out.push(r);
    } catch {
      // a foreign or truncated value: not a service record
    }
  }
  return out.sort((a, b) => a.service.localeCompare(b.service) || a.instance.localeCompare(b.instance));
}
