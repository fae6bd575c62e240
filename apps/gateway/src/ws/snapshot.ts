import { TypeCompiler } from "@sinclair/typebox/compiler";
import {
  assetOfKey,
  type ChannelSpec,
  CompositeSchema,
  channelOf,
  redisKeys,
  SpreadSchema,
} from "@tickerplant/core";
import type { Redis } from "@tickerplant/runtime";
import { LATEST_KINDS, type LatestKind, readLatest } from "../latest-state.ts";
import { isLatestMessage } from "../message-check.ts";
import type { GatewayMetrics } from "../metrics.ts";

export interface Snapshot {
  channel: string;
  seq: number | null;
  payload: string;
}

type AssetKind = "composite" | "spread";
const ASSET_CHECKS = {
  composite: TypeCompiler.Compile(CompositeSchema),
  spread: TypeCompiler.Compile(SpreadSchema),
};
const MAX_ASSET_KEYS = 1000;

export function hasSnapshot(spec: ChannelSpec): spec is ChannelSpec & { type: LatestKind | AssetKind } {
  return (
    (LATEST_KINDS as readonly string[]).includes(spec.type) ||
    spec.type === "composite" ||
    spec.type === "spread"
  );
}

/** The latest values behind a ticker/bbo/stats/composite/spread channel (pattern or not), from Redis. */
export async function readSnapshots(
  redis: Redis,
  spec: ChannelSpec & { type: LatestKind | AssetKind },
  metrics: GatewayMetrics,
): Promise<Snapshot[]> {
  if (spec.type === "composite" || spec.type === "spread")
    return readAssetSnapshots(redis, spec.type, spec.market, metrics);
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

async function readAssetSnapshots(
  redis: Redis,
  kind: AssetKind,
  asset: string,
  metrics: GatewayMetrics,
): Promise<Snapshot[]> {
  const keyOrPattern = redisKeys.asset(kind, asset);
  let keys: string[];
  if (asset !== "*") keys = [keyOrPattern];
  else {
    const found = new Set<string>();
    let cursor = "0";
    do {
      const [next, batch] = await redis.scan(cursor, "MATCH", keyOrPattern, "COUNT", 1000);
      cursor = next;
      for (const k of batch) found.add(k);
    } while (cursor !== "0" && found.size < MAX_ASSET_KEYS);
    keys = [...found].sort().slice(0, MAX_ASSET_KEYS);
  }
  const out: Snapshot[] = [];
  for (const key of keys) {
    const json = await redis.hget(key, "json");
    if (json === null) continue;
    let data: unknown;
    try {
      data = JSON.parse(json);
    } catch {
      data = undefined;
    }
    if (!ASSET_CHECKS[kind].Check(data)) {
      metrics.invalidRecords.inc({ source: "redis" });
      continue;
    }
    out.push({ channel: channelOf(kind, "", assetOfKey(kind, key)), seq: null, payload: json });
  }
  return out;
}
