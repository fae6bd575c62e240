import { streamDefinitions } from "@tickerplant/runtime";

/**
 * Maps NATS subjects to the JetStream stream that stores them (from the runtime's one table of
 * streams). Subjects back to channels: `channelOfSubject` in core.
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
