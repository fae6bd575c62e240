import Redis from "ioredis";
import type { ReadinessCheck } from "./health.ts";

export type { Redis };

export function createRedis(url: string, name: string): Redis {
  return new Redis(url, { connectionName: name, maxRetriesPerRequest: 3, enableAutoPipelining: true });
}

export function redisCheck(redis: Redis): ReadinessCheck {
  return { name: "redis", check: () => redis.ping() };
}
