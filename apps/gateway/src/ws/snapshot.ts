import { type ChannelSpec, channelOf } from "@tickerplant/core";
import type { Redis } from "@tickerplant/runtime";
import { LATEST_KINDS, type LatestKind, readLatest } from "../latest-state.ts";
import { isLatestMessage } from "../message-check.ts";
import type { GatewayMetrics } from "../metrics.ts";

export interface Snapshot {
  channel: string;
  seq: number | null;
  payload: string;
}

export function hasSnapshot(spec: ChannelSpec): spec is ChannelSpec & { type: LatestKind } {
  return (LATEST_KINDS as readonly string[]).includes(spec.type);
}

/** The latest values behind a ticker/bbo/stats channel (pattern or not), from Redis. */
export async function readSnapshots(
  redis: Redis,
  spec: ChannelSpec & { type: LatestKind },
  metrics: GatewayMetrics,
): Promise<Snapshot[]> {
  const entries = await readLatest(redis, spec.type, spec.exchange, spec.market);
  const out: Snapshot[] = [];
  for (const e of entries) {
    if (!isLatestMessage(spec.type, e.data)) {
      metrics.invalidRecords.inc({ source: "redis" });
      continue;
    }
    out.push({
      channel: channelOf(spec.type, e.exchange, e.market),
      seq: e.seq,
      payload: JSON.stringify(e.data),
    });
  }
  return out;
}
