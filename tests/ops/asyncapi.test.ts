/**
 * Contracts for other systems: docs/asyncapi.json is the AsyncAPI 3 document generated from the
 * TypeBox schemas (packages/core/src/asyncapi.ts), current, valid for the AsyncAPI parser, and
 * it covers every subject the platform publishes.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Parser } from "@asyncapi/parser";
import {
  analyticsSubject,
  assetSubject,
  asyncApiDocument,
  MESSAGE_TYPES,
  marketSubject,
  portfolioSubject,
} from "@tickerplant/core";
import { REPO_ROOT } from "@tickerplant/testkit";

const file = join(REPO_ROOT, "docs/asyncapi.json");

describe("AsyncAPI document", () => {
  test("docs/asyncapi.json is the generated document (regenerate: bun packages/core/src/bin/asyncapi.ts > docs/asyncapi.json)", () => {
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(asyncApiDocument());
  });

  test("the AsyncAPI parser validates it without errors or warnings", async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(file, "utf8"));
    expect(
      diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join(".")}`),
    ).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toBe("3.0.0");
    expect(document!.channels().length).toBeGreaterThanOrEqual(13);
    // Every channel's message has a payload schema with the fields of the TypeBox schema.
    const trade = document!.channels().get("trade")!.messages().all()[0]!;
    expect(trade.payload()!.properties()).toHaveProperty("price");
  }, 120_000);

  test("every subject the platform builds matches a channel address", () => {
    const addresses = Object.values(asyncApiDocument().channels as Record<string, { address: string }>).map(
      (c) => new RegExp(`^${c.address.replace(/\./g, "\\.").replace(/\{[a-z]+\}/g, "[^.]+")}$`),
    );
    const subjects = [
      ...MESSAGE_TYPES.map((t) => marketSubject(t, "binance", "BTC-USDT", t === "candle" ? "1m" : undefined)),
      marketSubject("status", "okx", "*"),
      analyticsSubject("stats", "binance", "BTC-USDT"),
      analyticsSubject("alert", "binance", "BTC-USDT"),
      assetSubject("composite", "BTC"),
      assetSubject("spread", "BTC"),
      portfolioSubject("p1"),
    ];
    for (const s of subjects)
      expect(
        addresses.some((a) => a.test(s)),
        s,
      ).toBe(true);
  });
});
