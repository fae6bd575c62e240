import { CHANNEL_TYPES, type ChannelType, channelOf, isKeyedChannel } from "@tickerplant/core";
import { streamDefinitions } from "@tickerplant/runtime";

/**
 * Maps NATS subjects to the JetStream stream that stores them (from the runtime's one table of
 * streams) and back to WebSocket channel names.
 */
export class SubjectStreams {
  private readonly prefixes: Array<{ prefix: string; stream: string }> = [];

  constructor() {
    // Only names and subjects are read; replicas/retention do not matter here.
    for (const def of streamDefinitions({ replicas: 1, tradesRetentionDays: 1 })) {
      for (const subject of def.subjects) {
        if (subject.endsWith(".>")) this.prefixes.push({ prefix: subject.slice(0, -1), stream: def.name });
      }
    }
  }

  /** The stream holding a subject or subject filter, e.g. md.trade.binance.* → MD_TRADES. */
  streamOf(subject: string): string | undefined {
    return this.prefixes.find((p) => subject.startsWith(p.prefix))?.stream;
  }
}

/**
 * `md.trade.binance.BTC-USDT` → `trade:binance:BTC-USDT`; `an.stats.…` → `stats:…`;
 * `an.composite.BTC` → `composite:BTC`.
 */
export function channelOfSubject(
  subject: string,
): { channel: string; type: ChannelType; marketData: boolean } | undefined {
  const [root, type, exchange, market, interval] = subject.split(".");
  if (root === "an" && isKeyedChannel(type!)) {
    if (!exchange || market !== undefined) return undefined;
    return { channel: `${type}:${exchange}`, type, marketData: false };
  }
  if ((root !== "md" && root !== "an") || !exchange || !market) return undefined;
  if (!CHANNEL_TYPES.includes(type as ChannelType)) return undefined;
  return {
    channel: channelOf(type as ChannelType, exchange, market, interval),
    type: type as ChannelType,
    marketData: root === "md",
  };
}
