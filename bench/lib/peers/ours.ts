import type { ExchangeAdapter, ParseContext } from "@tickerplant/core";
import type { Pass } from "./timing.ts";

/**
 * Ours: the adapter's parseFrame on the raw frame text (JSON decoding included), with fresh
 * per-connection state for every pass, as after a (re)connect.
 */
export interface Counted extends Pass {
  /** Normalized messages the last pass produced. */
  readonly messages: number;
  /** Frames the last pass could not handle (thrown, or reported invalid). */
  readonly failed: number;
}

export function oursPass(adapter: ExchangeAdapter, frames: readonly string[]): Counted {
  let ctx: ParseContext;
  let messages = 0;
  let failed = 0;
  return {
    get messages() {
      return messages;
    },
    get failed() {
      return failed;
    },
    setup() {
      ctx = { recvTs: Date.now(), marketOf: adapter.marketOfSymbol, state: new Map() };
    },
    run() {
      messages = 0;
      failed = 0;
      for (let i = 0; i < frames.length; i++) {
        const r = adapter.parseFrame(frames[i]!, ctx);
        if (r.kind === "data") messages += r.messages.length;
        else if (r.kind === "invalid") failed++;
      }
      return frames.length;
    },
  };
}
