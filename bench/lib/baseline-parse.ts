import { messageId, subjectOf, type Trade } from "@tickerplant/core";
import { nowMs, perSecond } from "./stats.ts";
import { binanceAdapter, type TradeFixtures } from "./trade-fixtures.ts";

/**
 * CPU per trade inside the ingestor, without sockets: the Binance adapter's parseFrame over
 * simulator frames, and the ingestor's whole per-trade path up to the publish call
 * (parse → normalize → JSON.stringify → UTF-8 encode → subject and Nats-Msg-Id).
 */

export interface ParseBaseline {
  frames: number;
  parse: { seconds: number; perSecond: number };
  ingestPath: { seconds: number; perSecond: number };
}

export function parseBaseline(fixtures: TradeFixtures, rounds = 3): ParseBaseline {
  const adapter = binanceAdapter();
  const { frames, ctx } = fixtures;
  const enc = new TextEncoder();
  let sink = 0;

  const parseAll = () => {
    for (const f of frames) if (adapter.parseFrame(f, ctx).kind === "data") sink++;
  };
  const ingestAll = () => {
    for (const f of frames) {
      const r = adapter.parseFrame(f, ctx);
      if (r.kind !== "data") continue;
      for (const msg of r.messages) {
        (msg as Trade).simulated = true;
        sink += enc.encode(JSON.stringify(msg)).byteLength + subjectOf(msg).length + messageId(msg).length;
      }
    }
  };
  // Best of a few rounds after a warm-up: the steady state, not the JIT.
  const best = (fn: () => void) => {
    fn();
    let min = Number.POSITIVE_INFINITY;
    for (let r = 0; r < rounds; r++) {
      const t0 = nowMs();
      fn();
      min = Math.min(min, nowMs() - t0);
    }
    return { seconds: min / 1000, perSecond: perSecond(frames.length, 0, min) };
  };
  const parse = best(parseAll);
  const ingestPath = best(ingestAll);
  if (sink === 0) throw new Error("nothing parsed");
  return { frames: frames.length, parse, ingestPath };
}
