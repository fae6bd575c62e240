/**
 * The web dashboard in a real browser (Debian's Chromium through playwright-core) against the
 * services running on the exchange simulator: live tickers fill the table, the trade tape streams,
 * and simulated data is flagged.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import {
  type ServiceProcess,
  type StartedSimulator,
  startService,
  startSimulator,
} from "@tickerplant/testkit";
import { type Browser, chromium } from "playwright-core";
import { isolatedConsumers, removeConsumers } from "./isolation.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const RUN = Date.now().toString(36).toUpperCase();
const MARKET = `DB${RUN}-USDT`;
const GATEWAY_PORT = 19480;
const env = {
  NATS_URL: process.env.NATS_URL ?? "nats://127.0.0.1:4222",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  DATABASE_URL: process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test",
  LOG_LEVEL: "warn",
  ...isolatedConsumers(RUN),
};

let sim: StartedSimulator;
let browser: Browser;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no browser at ${CHROMIUM} (infra/test.sh installs Debian's chromium)`);
  sim = await startSimulator({ markets: [MARKET], tradesPerSecond: 20, seed: 3 });
  const feed = {
    ...env,
    EXCHANGES: "binance",
    MARKETS: MARKET,
    CHANNELS: "trade,ticker",
    SOURCE: "simulated",
    EXCHANGE_URL_OVERRIDES: `binance.ws=${sim.wsUrl},binance.rest=${sim.restUrl}`,
  };
  const writer = startService("storage-writer", env, 19402);
  services.push(writer);
  await writer.waitReady();
  services.push(startService("ingestor", feed, 19401), startService("gateway", env, GATEWAY_PORT));
  await Promise.all(services.map((s) => s.waitReady()));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(services.map((s) => s.stop()));
  await sim?.stop();
  await removeConsumers(env.NATS_URL, RUN).catch(() => {});
});

test("live tickers, a streaming trade tape and a SIMULATED DATA banner", async () => {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${GATEWAY_PORT}/`);
  await page.locator("#simulated-banner").waitFor({ state: "visible", timeout: 15_000 });
  expect(await page.locator("#simulated-banner").innerText()).toContain("SIMULATED DATA");
  // Tickers arrive once a second from the simulator, through ingestor → JetStream → gateway.
  const row = page.locator("#tickers tbody tr", { hasText: MARKET });
  await row.waitFor({ timeout: 15_000 });
  const last = Number((await row.locator("td").nth(2).innerText()).replace(/,/g, ""));
  expect(last).toBeGreaterThan(0);
  await page.fill("#tape-market", MARKET);
  await page.click("#tape-form button");
  await page.locator("#tape tbody tr").nth(2).waitFor({ timeout: 15_000 });
  expect(await page.locator("#tape tbody tr").count()).toBeGreaterThanOrEqual(3);
  await page.screenshot({ path: `${process.env.TMPDIR ?? "/tmp"}/tickerplant-dashboard.png` });
}, 60_000);
