import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fc, fuzzAssert, fuzzRuns, mutatedFrame } from "@tickerplant/testkit/fuzz";
import type { ExchangeAdapter, FrameResult, ParseContext } from "../src/adapter.ts";
import { EXCHANGES } from "../src/exchanges/registry.ts";
import { fixturesDir } from "./fixtures.ts";
import { schemaErrors } from "./parse-harness.ts";

/**
 * Every adapter's parseFrame on random mutations of its exchange's recorded frames: it never
 * throws, an `invalid` result names a reason, and whatever it does emit as data validates.
 */

// Recorded frames per adapter (directories of the fixtures; `*expected_normalized*` are outputs).
const FIXTURE_DIRS: Record<string, string[]> = {
  "binance/spot": ["binance", "binance-us"],
  "binance/perp": ["binance-futures"],
  "bybit/spot": ["bybit"],
  "bybit/perp": ["bybit"],
  "okx/spot": ["okx"],
  "okx/perp": ["okx"],
  "coinbase/spot": ["coinbase"],
  "kraken/spot": ["kraken"],
  "whitebit/spot": ["whitebit"],
  "bingx/spot": ["bingx"],
  "bingx/perp": ["bingx"],
};

const MAX_FRAME = 6000;
const MAX_SAMPLES = 300;

function samplesFor(dirs: readonly string[]): string[] {
  const out: string[] = [];
  for (const dir of dirs) {
    const path = join(fixturesDir(), dir);
    for (const file of readdirSync(path).sort()) {
      if (!file.endsWith(".jsonl") || file.includes("expected")) continue;
      for (const line of readFileSync(join(path, file), "utf8").split("\n")) {
        if (line.trim().length > 0 && line.length <= MAX_FRAME) out.push(line);
      }
    }
  }
  // Spread over the files: every k-th line.
  const step = Math.max(1, Math.ceil(out.length / MAX_SAMPLES));
  return out.filter((_, i) => i % step === 0);
}

function contextFor(adapter: ExchangeAdapter): ParseContext {
  const fallback = adapter.marketType === "perp" ? "FUZZ-USDT-PERP" : "FUZZ-USDT";
  return {
    recvTs: 1_800_000_000_000,
    marketOf: (symbol) => {
      try {
        return adapter.marketOfSymbol(symbol) ?? fallback;
      } catch {
        return fallback;
      }
    },
    state: new Map(),
  };
}

const KINDS = new Set(["data", "ack", "error", "reply", "control", "ignored", "invalid"]);

function checkResult(r: FrameResult): void {
  if (!KINDS.has(r.kind)) throw new Error(`unknown result kind ${JSON.stringify(r)}`);
  if (r.kind === "invalid" && (typeof r.reason !== "string" || r.reason.length === 0))
    throw new Error(`invalid without a reason: ${JSON.stringify(r)}`);
  if (r.kind === "data") {
    for (const m of r.messages) {
      const errors = schemaErrors(m);
      if (errors.length > 0) throw new Error(`emitted a message that fails its schema: ${errors.join("; ")}`);
    }
  }
}

const adapters = Object.values(EXCHANGES).flatMap((e) => e.adapters);
const RUNS = fuzzRuns(1500);

describe("parseFrame under random mutations of recorded frames", () => {
  test("every adapter has recorded frames to mutate", () => {
    for (const a of adapters)
      expect(samplesFor(FIXTURE_DIRS[`${a.id}/${a.marketType}`] ?? []).length).toBeGreaterThan(0);
  });

  for (const adapter of adapters) {
    const key = `${adapter.id}/${adapter.marketType}`;
    test(`${key}: never throws, invalid has a reason, data validates`, () => {
      const samples = samplesFor(FIXTURE_DIRS[key] ?? []);
      // A connection's state outlives frames: some cases first feed a few recorded frames.
      const arb = fc.tuple(fc.array(fc.constantFrom(...samples), { maxLength: 3 }), mutatedFrame(samples));
      fuzzAssert(
        `parseFrame ${key}`,
        arb,
        ([before, frame]) => {
          const ctx = contextFor(adapter);
          for (const f of before) adapter.parseFrame(f, ctx);
          checkResult(adapter.parseFrame(frame, ctx));
        },
        RUNS,
      );
    });
  }
});
