/**
 * The dashboard on a gateway that requires an API key (API_KEY_REQUIRED=true), in Debian's
 * Chromium: the page asks for the key, keeps it, and then reads REST and the WebSocket with it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import {
  type ServiceProcess,
  type StartedSimulator,
  startNatsServer,
  startService,
  startSimulator,
} from "@tickerplant/testkit";
import { type Browser, chromium } from "playwright-core";
import { isolatedConsumers } from "./isolation.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const RUN = Date.now().toString(36).toUpperCase();
const MARKET = `DK${RUN}-USDT`;
const SECRET = `viewer-secret-${RUN}`;
const GATEWAY_PORT = 19490;
const OWN_NATS = await startNatsServer();
const env = {
  NATS_URL: OWN_NATS.url,
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
  sim = await startSimulator({ markets: [MARKET], tradesPerSecond: 20, seed: 9 });
  services.push(
    startService(
      "ingestor",
      {
        ...env,
        EXCHANGES: "binance",
        MARKETS: MARKET,
        CHANNELS: "trade,ticker",
        SOURCE: "simulated",
        EXCHANGE_URL_OVERRIDES: `binance.ws=${sim.wsUrl},binance.rest=${sim.restUrl}`,
      },
      19491,
    ),
    startService(
      "gateway",
      { ...env, API_KEY_REQUIRED: "true", API_KEYS: `viewer:read:${SECRET}` },
      GATEWAY_PORT,
    ),
  );
  await Promise.all(services.map((s) => s.waitReady(120_000)));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(services.map((s) => s.stop()));
  await sim?.stop();
  OWN_NATS.stop();
});

test("the page asks for the key, keeps it, and then shows live tickers", async () => {
  const rest = await fetch(`http://127.0.0.1:${GATEWAY_PORT}/api/v1/status`);
  expect(rest.status).toBe(401); // the gateway does require it
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${GATEWAY_PORT}/`);
  await page.locator("#key-form").waitFor({ state: "visible", timeout: 15_000 });
  expect(await page.locator("#key-reason").innerText()).toMatch(/x-api-key/);
  await page.fill("#key-input", SECRET);
  await page.click("#key-form button");
  await page.waitForLoadState("load");
  const row = page.locator("#tickers tbody tr", { hasText: MARKET });
  await row.waitFor({ timeout: 20_000 });
  expect(await page.locator("#conn").innerText()).toBe("gateway: connected");
  expect(await page.locator("#key-form").isHidden()).toBe(true);
  // Kept for the next visit.
  await page.reload();
  await page.locator("#tickers tbody tr", { hasText: MARKET }).waitFor({ timeout: 20_000 });
  expect(await page.locator("#key-form").isHidden()).toBe(true);
}, 120_000);
