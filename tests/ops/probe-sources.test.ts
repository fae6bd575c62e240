/**
 * SOURCE=auto is decided per exchange (infra/probe-sources.ts, used by infra/up.sh): each exchange
 * whose REST market list answers is live, every other one simulated — not "the first one that
 * answers decides for all". Exchanges are stood in for by their simulators and by a closed port.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { freePort, type StartedSimulator, startSimulator } from "@tickerplant/testkit";
import { probeSources } from "../../infra/probe-sources.ts";

let kraken: StartedSimulator;
let binance: StartedSimulator;
let closed: string;

beforeAll(async () => {
  kraken = await startSimulator({ exchange: "kraken", markets: ["BTC-USD"], tradesPerSecond: 0 });
  binance = await startSimulator({ exchange: "binance", markets: ["BTC-USDT"], tradesPerSecond: 0 });
  closed = `http://127.0.0.1:${await freePort()}`; // nothing listens there
});

afterAll(async () => {
  await kraken?.stop();
  await binance?.stop();
});

test("each exchange gets its own answer, whatever the order and whichever answers first", async () => {
  const overrides = {
    "whitebit.rest": closed,
    "kraken.rest": kraken.restUrl,
    "binance.rest": binance.restUrl,
  };
  expect(await probeSources(["whitebit", "kraken", "binance"], { overrides, timeoutMs: 3000 })).toBe(
    "whitebit=simulated,kraken=live,binance=live",
  );
  expect(await probeSources(["kraken", "whitebit"], { overrides, timeoutMs: 3000 })).toBe(
    "kraken=live,whitebit=simulated",
  );
});

test("an exchange is live only when every one of its adapters (spot and perp) answers", async () => {
  const overrides = { "binance.rest": binance.restUrl, "binance.perp.rest": closed };
  expect(await probeSources(["binance"], { overrides, timeoutMs: 3000 })).toBe("binance=simulated");
});

test("the script prints the same line (infra/up.sh reads it)", async () => {
  // Without overrides it probes the real exchanges; a tiny timeout makes every one fail fast here.
  const p = Bun.spawn(["bun", `${import.meta.dir}/../../infra/probe-sources.ts`, "kraken,okx"], {
    env: { ...process.env, PROBE_TIMEOUT_MS: "1" },
    stdout: "pipe",
  });
  expect((await new Response(p.stdout).text()).trim()).toBe("kraken=simulated,okx=simulated");
  expect(await p.exited).toBe(0);
});
