/**
 * The web dashboard in a real browser (Debian's Chromium through playwright-core) against the
 * services running on the exchange simulator: the candlestick chart draws the API's candles, live
 * tickers fill the table, the trade tape streams, and simulated data is flagged without a
 * contradicting "live" badge. Screenshots go to $TMPDIR/tickerplant-dashboard-*.png.
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
import postgres from "postgres";
import { isolatedConsumers, removeConsumers } from "./isolation.ts";

/** The page's DOM, as the functions handed to `waitForFunction` (run in the browser) use it. */
declare const document: {
  getElementById(
    id: string,
  ): { dataset: Record<string, string | undefined>; textContent: string | null } | null;
  querySelector(selector: string): { textContent: string | null } | null;
};

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = process.env.TMPDIR ?? "/tmp";
const RUN = Date.now().toString(36).toUpperCase();
const ASSET = `DB${RUN}`;
const MARKET = `${ASSET}-USDT`;
const API_KEY = `dashboard-test-key-${RUN}`;
const GATEWAY_PORT = 19480;
// A NATS of its own: the run's other schedulers must not take or dedup its market-list job.
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
  // Another test's Binance market list (shared test database) would not hold this run's market.
  const sql = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} });
  await sql`delete from markets where exchange = 'binance'`;
  await sql.end();
  if (!existsSync(CHROMIUM))
    throw new Error(`no browser at ${CHROMIUM} (infra/test.sh installs Debian's chromium)`);
  sim = await startSimulator({ markets: [MARKET], tradesPerSecond: 20, seed: 3 });
  const feed = {
    ...env,
    EXCHANGES: "binance",
    MARKETS: MARKET,
    CHANNELS: "trade,ticker,candle",
    CANDLE_INTERVALS: "1s",
    SOURCE: "simulated",
    EXCHANGE_URL_OVERRIDES: `binance.ws=${sim.wsUrl},binance.rest=${sim.restUrl}`,
  };
  const writer = startService("storage-writer", env, 19402);
  services.push(writer);
  await writer.waitReady(120_000);
  const analyzer = {
    ...env,
    COMPOSITE_INTERVAL_MS: "200",
    ALERT_RELOAD_MS: "200",
    ALERT_POLL_MS: "100",
    PORTFOLIO_INTERVAL_MS: "300",
    PORTFOLIO_RELOAD_MS: "300",
    LEASE_NAME: `e2e-dashboard-${RUN}`,
    REPLICA_ID: `dashboard-${RUN}`,
  };
  services.push(
    startService("ingestor", feed, 19401),
    startService("gateway", { ...env, ADMIN_API_KEYS: API_KEY }, GATEWAY_PORT),
    startService("analyzer", analyzer, 19403),
  );
  await Promise.all(services.map((s) => s.waitReady(120_000)));
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
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(services.map((s) => s.stop()));
  await sim?.stop();
  await removeConsumers(env.NATS_URL, RUN).catch(() => {});
  OWN_NATS.stop();
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
  // Header: the source is named per exchange; nothing claims "live" while the banner says simulated.
  expect(await page.locator("#sources").innerText()).toContain("binance: SIMULATED");
  expect(await page.locator("header").innerText()).not.toMatch(/\blive\b/i);
  await page.screenshot({ path: `${SHOTS}/tickerplant-dashboard-tickers.png`, fullPage: true });
}, 120_000);

test("the candlestick chart draws the candles the API serves, and follows live ones", async () => {
  // Closed 1 s candles reach TimescaleDB through the storage-writer; wait for a few.
  const api = `http://127.0.0.1:${GATEWAY_PORT}/api/v1/candles?exchange=binance&market=${MARKET}&interval=1s&limit=500`;
  let stored = 0;
  for (let i = 0; i < 60 && stored < 3; i++) {
    const body = (await (await fetch(api)).json()) as { data?: unknown[] };
    if (!body.data) console.log("CANDLES API", JSON.stringify(body));
    stored = body.data?.length ?? 0;
    if (stored < 3) await Bun.sleep(500);
  }
  expect(stored).toBeGreaterThanOrEqual(3);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`http://127.0.0.1:${GATEWAY_PORT}/?exchange=binance&market=${MARKET}&interval=1s`);
  await page.waitForFunction((n) => Number(document.getElementById("chart")?.dataset.candles) >= n, stored, {
    timeout: 15_000,
  });
  expect(await page.locator("#chart-info").innerText()).toContain("SIMULATED DATA");
  // Lightweight Charts draws on canvases inside the container.
  expect(await page.locator("#chart canvas").count()).toBeGreaterThan(0);
  const before = Number(await page.locator("#chart").getAttribute("data-candles"));
  await page.waitForFunction((n) => Number(document.getElementById("chart")?.dataset.candles) > n, before, {
    timeout: 15_000,
  });
  await page.screenshot({ path: `${SHOTS}/tickerplant-dashboard-chart.png`, fullPage: true });
}, 120_000);

test("composite price with its sources, and system status: connection, message rate, services", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`http://127.0.0.1:${GATEWAY_PORT}/?exchange=binance&market=${MARKET}&interval=1s`);
  await page.fill("#asset", ASSET);
  await page.locator("#asset").dispatchEvent("change");
  await page.locator("#composite-sources li", { hasText: `binance ${MARKET}` }).waitFor({ timeout: 20_000 });
  const api = (await (
    await fetch(`http://127.0.0.1:${GATEWAY_PORT}/api/v1/composite?asset=${ASSET}`)
  ).json()) as { data: { price: number } };
  const shown = Number((await page.locator("#composite-price").innerText()).replace(/,/g, ""));
  expect(shown).toBeGreaterThan(0);
  expect(Math.abs(shown - api.data.price) / api.data.price).toBeLessThan(0.05); // the walk moves on
  expect(await page.locator("#composite").innerText()).toContain("SIMULATED");
  // The ingestor reports its message rate with its presence (every 5 s); the panel refreshes every 5 s.
  const cell = (n: number) => `#status-table tr[data-exchange="binance"] td:nth-child(${n})`;
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === "connected", cell(3), {
    timeout: 30_000,
  });
  await page.waitForFunction((sel) => Number(document.querySelector(sel)?.textContent) > 0, cell(5), {
    timeout: 30_000,
  });
  expect(await page.locator(cell(2)).innerText()).toBe("SIMULATED");
  expect(await page.locator("#status-summary").innerText()).toMatch(
    /gateway ready · platform \w+ · .*ingestor: up/,
  );
  await page.screenshot({ path: `${SHOTS}/tickerplant-dashboard-composite-status.png`, fullPage: true });
}, 120_000);

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${GATEWAY_PORT}/api/v1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": API_KEY },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return (json.data as Record<string, unknown>) ?? json;
}

test("a fired alert appears live, and the portfolio panel's value updates", async () => {
  const portfolio = await post("/portfolios", {
    name: `dash-${RUN}`,
    holdings: [{ asset: ASSET, quantity: 3 }],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(
    `http://127.0.0.1:${GATEWAY_PORT}/?portfolio=${portfolio.id}&exchange=binance&market=${MARKET}&interval=1s`,
  );
  // The analyzer values the holding at the composite price and publishes on portfolio:<id>.
  await page.waitForFunction(
    () => /\d/.test(document.getElementById("portfolio-value")?.textContent ?? ""),
    null,
    {
      timeout: 30_000,
    },
  );
  const first = await page.locator("#portfolio-value").textContent();
  await page.waitForFunction((v) => document.getElementById("portfolio-value")?.textContent !== v, first, {
    timeout: 30_000,
  });
  // An alert just above the last price: the simulator's walk crosses it.
  const threshold = sim.sim.truth.lastTrade(MARKET)!.price * 1.0001;
  const alert = await post("/alerts", {
    exchange: "binance",
    market: MARKET,
    kind: "price_above",
    threshold,
  });
  const fired = page.locator("#alerts li", { hasText: MARKET });
  for (let i = 0; i < 120 && (await fired.count()) === 0; i++) {
    if (sim.sim.truth.lastTrade(MARKET)!.price < threshold) sim.sim.generate(MARKET, 20);
    await Bun.sleep(250);
  }
  await fired.first().waitFor({ timeout: 5_000 });
  expect(await fired.first().textContent()).toContain("price_above");
  expect(await fired.first().getAttribute("data-alert")).toBe(String(alert.id));
  await page.screenshot({ path: `${SHOTS}/tickerplant-dashboard-alerts-portfolio.png`, fullPage: true });
}, 180_000);
