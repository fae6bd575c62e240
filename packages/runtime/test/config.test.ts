import { describe, expect, test } from "bun:test";
import { Type as T } from "@sinclair/typebox";
import { ConfigError, CsvList, loadConfig, parsePairs, ServiceEnv } from "../src/config.ts";

const Schema = T.Object({
  ...ServiceEnv,
  MARKETS: CsvList({ default: ["BTC-USDT"] }),
  BATCH: T.Integer({ default: 10, minimum: 1 }),
  FLAG: T.Boolean({ default: false }),
});

describe("loadConfig", () => {
  test("applies defaults and converts types", () => {
    const c = loadConfig(Schema, { HTTP_PORT: "9000", MARKETS: "BTC-USDT, ETH-USDT,", FLAG: "true" });
    expect(c).toEqual({
      LOG_LEVEL: "info",
      HTTP_PORT: 9000,
      MARKETS: ["BTC-USDT", "ETH-USDT"],
      BATCH: 10,
      FLAG: true,
    });
  });

  test("reports every problem at once", () => {
    try {
      loadConfig(Schema, { HTTP_PORT: "not-a-port", BATCH: "0", LOG_LEVEL: "loud" });
      throw new Error("expected a ConfigError");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join("\n");
      expect(problems).toContain("HTTP_PORT");
      expect(problems).toContain("BATCH");
      expect(problems).toContain("LOG_LEVEL");
    }
  });

  test("a required variable that is missing is an error", () => {
    expect(() => loadConfig(Schema, {})).toThrow(/HTTP_PORT/);
  });

  test("parsePairs", () => {
    expect(parsePairs("binance.ws=ws://h:1/x?a=b, binance.rest=http://h:2")).toEqual({
      "binance.ws": "ws://h:1/x?a=b",
      "binance.rest": "http://h:2",
    });
    expect(parsePairs(undefined)).toEqual({});
  });
});
