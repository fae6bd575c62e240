import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "./helpers.ts";

let g: TestGateway;
const KEY = "test-admin-key-123";
beforeAll(async () => {
  g = await startTestGateway({ ADMIN_API_KEYS: `other,${KEY}` });
});
afterAll(() => g.close());

function call(method: string, path: string, body?: unknown, key: string | null = KEY) {
  return fetch(`${g.base}/api/v1/admin${path}`, {
    method,
    headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe("admin subscriptions API", () => {
  test("writes, lists and deletes entries of the subscriptions KV", async () => {
    const market = "ADM-USDT";
    const put = await call("PUT", `/subscriptions/${g.exchange}/${market}`, {
      channels: ["trade", "candle"],
      intervals: ["1m", "1h"],
    });
    expect(put.status).toBe(200);
    expect((await g.subscriptions.list()).find((e) => e.exchange === g.exchange)).toEqual({
      exchange: g.exchange,
      market,
      channels: ["trade", "candle"],
      intervals: ["1m", "1h"],
    });
    const list = (await (await call("GET", "/subscriptions")).json()) as { data: Array<{ market: string }> };
    expect(list.data.some((e) => e.market === market)).toBe(true);
    expect((await call("DELETE", `/subscriptions/${g.exchange}/${market}`)).status).toBe(200);
    expect((await g.subscriptions.list()).some((e) => e.exchange === g.exchange)).toBe(false);
  });

  test("needs a valid API key", async () => {
    const none = await call("GET", "/subscriptions", undefined, null);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    expect((await call("GET", "/subscriptions", undefined, "wrong")).status).toBe(401);
  });

  test("rejects invalid entries and unknown exchanges", async () => {
    const bad = await call("PUT", `/subscriptions/${g.exchange}/ADM-USDT`, { channels: ["nope"] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
    expect(
      (await call("PUT", `/subscriptions/${g.exchange}/bad_market`, { channels: ["trade"] })).status,
    ).toBe(400);
    expect(
      (await call("PUT", "/subscriptions/nosuchexchange/ADM-USDT", { channels: ["trade"] })).status,
    ).toBe(404);
  });
});

describe("admin API without keys", () => {
  test("is off", async () => {
    const off = await startTestGateway();
    try {
      const res = await fetch(`${off.base}/api/v1/admin/subscriptions`, { headers: { "x-api-key": "x" } });
      expect(res.status).toBe(403);
    } finally {
      await off.close();
    }
  });
});
