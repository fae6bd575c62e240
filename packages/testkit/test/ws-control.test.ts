import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type StartedSimulator, startSimulator } from "../src/index.ts";
import { connect } from "./helpers/ws-client.ts";

let s: StartedSimulator;

beforeAll(async () => {
  s = await startSimulator({
    seed: 3,
    markets: ["BTC-USDT", "ETH-USDT"],
    tradesPerSecond: 200,
    maxStreamsPerConnection: 4,
  });
});
afterAll(() => s.stop());

const replies = (msgs: unknown[]): unknown[] =>
  msgs.filter((m) => typeof m === "object" && m !== null && "id" in m);

describe("Binance control frames", () => {
  test("SUBSCRIBE, LIST_SUBSCRIPTIONS, UNSUBSCRIBE", async () => {
    const c = await connect(`${s.wsUrl}/stream`);
    c.send({ method: "SUBSCRIBE", params: ["btcusdt@trade", "ethusdt@bookTicker"], id: 1 });
    await c.waitFor(() => c.messages.some((m) => m.includes('"btcusdt@trade"')), 2000, "a trade");
    c.send({ method: "LIST_SUBSCRIPTIONS", id: "list2" });
    c.send({ method: "UNSUBSCRIBE", params: ["btcusdt@trade"], id: 3 });
    await c.waitFor(() => replies(c.json()).length >= 3, 2000, "three replies");
    expect(replies(c.json())).toEqual([
      { result: null, id: 1 },
      { result: ["btcusdt@trade", "ethusdt@bookTicker"], id: "list2" },
      { result: null, id: 3 },
    ]);
    const after = c.messages.length;
    await Bun.sleep(150);
    const later = c.messages.slice(after).map((m) => JSON.parse(m) as { stream?: string });
    expect(later.some((m) => m.stream === "btcusdt@trade")).toBe(false);
    expect(later.some((m) => m.stream === "ethusdt@bookTicker")).toBe(true);
    c.close();
  });

  test("invalid requests get Binance-style errors and the connection stays open", async () => {
    const c = await connect(`${s.wsUrl}/ws`);
    const sent = ["{not json", JSON.stringify({ method: "SUBSCRIBE", params: ["btcusdt@nonsense"], id: 1 })];
    for (const m of sent) c.send(m);
    await c.waitFor(() => c.messages.length >= 2, 2000, "two errors");
    await Bun.sleep(1000); // stay under 5 messages per second
    c.send({ method: "FLY", id: 2 });
    c.send({ params: [], id: 3 });
    c.send({ method: "SUBSCRIBE", params: ["btcusdt@trade"], id: { bad: true } });
    await c.waitFor(() => c.messages.length >= 5, 2000, "five errors");
    const got = c.json() as Array<{ error: { code: number; msg: string }; id: unknown }>;
    expect(got[0]).toEqual({ error: { code: 3, msg: expect.stringContaining("Invalid JSON") }, id: null });
    expect(got[1]).toEqual({ error: { code: 2, msg: expect.stringContaining("Invalid request") }, id: 1 });
    expect(got[2]!.error.code).toBe(2);
    expect(got[2]!.error.msg).toContain("unknown variant");
    expect(got[2]!.id).toBe(2);
    expect(got[3]).toEqual({ error: { code: 2, msg: "Invalid request: missing field `method`" }, id: 3 });
    expect(got[4]!.error.code).toBe(2);
    expect(c.isClosed()).toBe(false);
    c.close();
  });

  test("SET_PROPERTY combined switches a raw connection to envelopes", async () => {
    const c = await connect(`${s.wsUrl}/ws/btcusdt@trade`);
    c.send({ method: "SET_PROPERTY", params: ["combined", true], id: 1 });
    c.send({ method: "GET_PROPERTY", params: ["combined"], id: 2 });
    await c.waitFor(() => c.messages.some((m) => m.startsWith('{"stream"')), 2000, "an enveloped frame");
    const got = c.json() as Array<Record<string, unknown>>;
    expect(got).toContainEqual({ result: null, id: 1 });
    expect(got).toContainEqual({ result: true, id: 2 });
    c.close();
  });

  test("stream limit per connection", async () => {
    const c = await connect(`${s.wsUrl}/stream?streams=btcusdt@trade/ethusdt@trade/btcusdt@ticker`);
    c.send({ method: "SUBSCRIBE", params: ["ethusdt@ticker", "btcusdt@kline_1m"], id: 9 });
    await c.waitFor(() => c.messages.some((m) => m.includes('"id":9')), 2000, "reply");
    const reply = (c.json() as Array<Record<string, unknown>>).find((m) => m.id === 9)!;
    expect(reply.error).toEqual({ code: 2, msg: expect.stringContaining("too many streams") });
    c.close();
    const tooMany = await fetch(
      `${s.url}/stream?streams=btcusdt@trade/ethusdt@trade/btcusdt@ticker/ethusdt@ticker/btcusdt@depth`,
      { headers: { Upgrade: "websocket", Connection: "Upgrade" } },
    );
    expect(tooMany.status).toBe(400);
  });

  test("more than 5 incoming messages per second closes the connection", async () => {
    const c = await connect(`${s.wsUrl}/ws`);
    for (let i = 1; i <= 6; i++) c.send({ method: "LIST_SUBSCRIPTIONS", id: i });
    const closed = await c.closed;
    expect(closed.code).toBe(1008);
    expect(replies(c.json()).length).toBe(5);
  });
});
