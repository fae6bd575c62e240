/**
 * `portfolio:<id>` updates at a bounded rate: with a composite price that changes all the time,
 * the publisher still sends a portfolio at most once per PORTFOLIO_INTERVAL_MS; an unchanged value
 * is not sent again; a standby sends nothing. Portfolios come from PostgreSQL as in production.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Composite } from "@tickerplant/core";
import { deletePortfolio, insertPortfolio, prepareDatabase } from "@tickerplant/db";
import { createLogger, type JetStreamPublisher } from "@tickerplant/runtime";
import postgres from "postgres";
import { PortfolioPublisher } from "../src/portfolios/portfolio-publisher.ts";

const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";
const ASSET = `PP${crypto.randomUUID().replaceAll("-", "").slice(0, 8).toUpperCase()}`;
const log = createLogger({ service: "t", level: "error" });
const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => {} });
let id: string;

/** What reached "NATS": subject and the time it was published. */
const sent: Array<{ subject: string; at: number; value: number }> = [];
const publisher = {
  async publish(subject: string, payload: string) {
    sent.push({ subject, at: performance.now(), value: JSON.parse(payload).value });
  },
  async flush() {},
} as unknown as JetStreamPublisher;

function composite(price: number): Composite {
  return {
    type: "composite",
    asset: ASSET,
    quote: "USD",
    method: "volume_weighted",
    ts: Date.now(),
    price,
    open24h: null,
    changePct24h: null,
    sources: [],
    excluded: [],
  };
}

beforeAll(async () => {
  await prepareDatabase(sql, log);
  id = (await insertPortfolio(sql, `pp-${ASSET}`, [{ asset: ASSET, quantity: 2 }])).id;
});

afterAll(async () => {
  if (id) await deletePortfolio(sql, id);
  await sql.end();
});

test("a portfolio is published at most once per interval however often its price moves", async () => {
  let price = 100;
  let active = true;
  const p = new PortfolioPublisher({
    sql,
    publisher,
    log,
    // A new price at every look: the valuation changes every time.
    composites: () => new Map([[ASSET, composite(price++)]]),
    intervalMs: 200,
    reloadMs: 60_000,
    isActive: () => active,
  });
  await p.start();
  const started = performance.now();
  await Bun.sleep(2100);
  const mine = () => sent.filter((s) => s.subject === `an.portfolio.${id}`);
  const during = mine();
  const elapsed = performance.now() - started;
  // One per 200 ms tick at most, and it does keep publishing while the price moves.
  expect(during.length).toBeLessThanOrEqual(Math.floor(elapsed / 200) + 1);
  expect(during.length).toBeGreaterThanOrEqual(5);
  for (let i = 1; i < during.length; i++)
    expect(during[i]!.at - during[i - 1]!.at).toBeGreaterThanOrEqual(150);
  expect(during.every((s, i) => i === 0 || s.value > during[i - 1]!.value)).toBe(true);

  // A standby publishes nothing.
  active = false;
  const before = mine().length;
  await Bun.sleep(700);
  expect(mine().length).toBe(before);
  await p.stop();
}, 20_000);

test("an unchanged valuation is not sent again", async () => {
  const p = new PortfolioPublisher({
    sql,
    publisher,
    log,
    composites: () => new Map([[ASSET, composite(42)]]),
    intervalMs: 100,
    reloadMs: 60_000,
    isActive: () => true,
  });
  const before = sent.filter((s) => s.subject === `an.portfolio.${id}`).length;
  await p.start();
  await Bun.sleep(800);
  await p.stop();
  const after = sent.filter((s) => s.subject === `an.portfolio.${id}`);
  expect(after.length - before).toBe(1);
  expect(after.at(-1)!.value).toBe(84);
}, 20_000);

test("a slow NATS does not queue ticks up: a tick starts only after the previous one ended", async () => {
  let price = 1;
  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  const slow = {
    async publish(subject: string) {
      if (subject !== `an.portfolio.${id}`) return;
      calls++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await Bun.sleep(300);
      inFlight--;
    },
    async flush() {},
  } as unknown as JetStreamPublisher;
  const p = new PortfolioPublisher({
    sql,
    publisher: slow,
    log,
    composites: () => new Map([[ASSET, composite(price++)]]),
    intervalMs: 100,
    reloadMs: 60_000,
    isActive: () => true,
  });
  await p.start();
  await Bun.sleep(1500);
  const t0 = performance.now();
  await p.stop();
  // Queued ticks would each wait their turn here (about 10 × 300 ms).
  expect(performance.now() - t0).toBeLessThan(600);
  expect(maxInFlight).toBe(1);
  expect(calls).toBeLessThanOrEqual(6);
}, 20_000);
