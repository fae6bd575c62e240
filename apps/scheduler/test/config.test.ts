import { describe, expect, test } from "bun:test";
import { ConfigError } from "@tickerplant/runtime";
import { loadSchedulerConfig, restEndpoints, restPollPeriods } from "../src/config.ts";
import { decodeJob, jobMessageId } from "../src/jobs.ts";

describe("scheduler config", () => {
  test("defaults: binance at its own REST URL, daily refresh, auto source, port 9103", () => {
    const c = loadSchedulerConfig({});
    expect(c).toMatchObject({
      HTTP_PORT: 9103,
      EXCHANGES: ["binance"],
      MARKETS_REFRESH_MS: 86_400_000,
      SOURCE: "auto",
    });
    expect(restEndpoints(c)).toEqual([{ exchange: "binance", restUrl: "https://api.binance.com" }]);
  });

  test("EXCHANGE_URL_OVERRIDES points an exchange's REST at the simulator", () => {
    const c = loadSchedulerConfig({
      EXCHANGE_URL_OVERRIDES: "binance.ws=ws://127.0.0.1:9500/ws,binance.rest=http://127.0.0.1:9500",
      SOURCE: "simulated",
    });
    expect(restEndpoints(c)).toEqual([{ exchange: "binance", restUrl: "http://127.0.0.1:9500" }]);
  });

  test("unknown exchanges, SOURCE=simulated without a simulator URL and bad values are refused", () => {
    expect(() => loadSchedulerConfig({ EXCHANGES: "binance,nosuch" })).toThrow(ConfigError);
    expect(() => loadSchedulerConfig({ SOURCE: "simulated" })).toThrow(/binance.rest/);
    expect(() => loadSchedulerConfig({ SOURCE: "maybe" })).toThrow(ConfigError);
    expect(() => loadSchedulerConfig({ MARKETS_REFRESH_MS: "10" })).toThrow(ConfigError);
  });
});

describe("REST polls", () => {
  test("every poll each minute by default, for the ingestor's default markets", () => {
    const c = loadSchedulerConfig({});
    expect(restPollPeriods(c)).toEqual({ deriv: 60_000, candles: 60_000 });
    expect(c.MARKETS).toEqual(["BTC-USDT", "ETH-USDT"]);
  });

  test("a period of 0 turns a poll off, one not named is off; bad names and periods are refused", () => {
    expect(restPollPeriods(loadSchedulerConfig({ REST_POLL_MS: "deriv=0,candles=30000" }))).toEqual({
      deriv: 0,
      candles: 30_000,
    });
    expect(restPollPeriods(loadSchedulerConfig({ REST_POLL_MS: "deriv=0" }))).toEqual({ deriv: 0 });
    expect(() => loadSchedulerConfig({ REST_POLL_MS: "funding=60000" })).toThrow(/unknown poll "funding"/);
    expect(() => loadSchedulerConfig({ REST_POLL_MS: "deriv=10" })).toThrow(/≥ 1000/);
    expect(() => loadSchedulerConfig({ MARKETS: "btc/usdt" })).toThrow(/MARKETS/);
  });

  test("a poll item's id depends on poll, exchange and period only", () => {
    const a = {
      kind: "rest-poll" as const,
      exchange: "bingx",
      poll: "deriv" as const,
      period: 7,
      periodMs: 60_000,
      scheduledAt: 1,
    };
    expect(jobMessageId(a)).toBe("rest-poll:deriv:bingx:7");
    expect(jobMessageId({ ...a, scheduledAt: 2 })).toBe(jobMessageId(a));
    expect(decodeJob(new TextEncoder().encode(JSON.stringify(a)))).toEqual(a);
    expect(() => decodeJob(new TextEncoder().encode(JSON.stringify({ ...a, poll: "gossip" })))).toThrow();
  });
});

describe("work items", () => {
  test("the message id depends on kind, exchange and period only", () => {
    const a = { kind: "markets-refresh" as const, exchange: "binance", period: 20_000, scheduledAt: 1 };
    expect(jobMessageId(a)).toBe("markets-refresh:binance:20000");
    expect(jobMessageId({ ...a, scheduledAt: 2 })).toBe(jobMessageId(a));
    expect(jobMessageId({ ...a, period: 20_001 })).not.toBe(jobMessageId(a));
  });

  test("decodeJob validates", () => {
    const job = { kind: "markets-refresh", exchange: "binance", period: 1, scheduledAt: 5 };
    expect(decodeJob(new TextEncoder().encode(JSON.stringify(job)))).toEqual(job as never);
    expect(() => decodeJob(new TextEncoder().encode("{"))).toThrow(/not JSON/);
    expect(() => decodeJob(new TextEncoder().encode('{"kind":"dance"}'))).toThrow(/not a known work item/);
  });
});
