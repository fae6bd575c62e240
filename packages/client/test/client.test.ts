import { afterAll, describe, expect, test } from "bun:test";
import {
  createGatewayClient,
  GatewayError,
  GatewayUnreachableError,
  openGatewayStream,
} from "../src/index.ts";

// A stand-in HTTP server answering the way the gateway does; the CLI tests run the real gateway.
const server = Bun.serve({
  port: 0,
  fetch(req, srv) {
    const url = new URL(req.url);
    if (url.pathname === "/ws") return srv.upgrade(req) ? undefined : new Response("no", { status: 400 });
    if (url.pathname === "/api/v1/exchanges")
      return Response.json({ data: [{ id: "binance", source: "simulated" }], simulated: true });
    if (url.pathname === "/api/v1/alerts" && req.method === "POST")
      return Response.json(
        { error: { code: "invalid_request", message: "threshold must be finite" } },
        { status: 400 },
      );
    if (url.pathname === "/slow") return Bun.sleep(2000).then(() => new Response("late"));
    return new Response("plain failure", { status: 502 });
  },
  websocket: {
    message(ws, raw) {
      const m = JSON.parse(String(raw));
      ws.send(JSON.stringify({ type: "subscribed", channels: m.channels, id: m.id }));
      ws.send(JSON.stringify({ channel: m.channels[0], seq: 7, data: { x: 1 } }));
    },
  },
});
const url = `http://127.0.0.1:${server.port}`;
afterAll(() => server.stop(true));

describe("gateway client", () => {
  test("typed routes return their data", async () => {
    const c = createGatewayClient({ url });
    const body = await c.call(c.api.api.v1.exchanges.get());
    expect(body.data[0]?.source).toBe("simulated");
  });

  test("an error body becomes a GatewayError with code, status and retryable", async () => {
    const c = createGatewayClient({ url });
    const err = await c.request("POST", "/api/v1/alerts", { body: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: "invalid_request", status: 400, retryable: false });
    const other = await c.request("GET", "/nowhere").catch((e) => e);
    expect(other).toMatchObject({ code: "http_502", status: 502, retryable: true, message: "plain failure" });
  });

  test("nothing listening → GatewayUnreachableError; too slow → gateway_timeout", async () => {
    const down = createGatewayClient({ url: "http://127.0.0.1:9" });
    expect(await down.call(down.api.api.v1.exchanges.get()).catch((e) => e)).toBeInstanceOf(
      GatewayUnreachableError,
    );
    expect(await down.request("GET", "/x").catch((e) => e)).toBeInstanceOf(GatewayUnreachableError);
    const slow = createGatewayClient({ url, timeoutMs: 200 });
    expect(await slow.request("GET", "/slow").catch((e) => e)).toMatchObject({ code: "gateway_timeout" });
  });

  test("a URL that is not http(s) is refused up front", () => {
    expect(() => createGatewayClient({ url: "not a url" })).toThrow(/is not a URL/);
    expect(() => createGatewayClient({ url: "ftp://x" })).toThrow(/not an http/);
  });

  test("the stream subscribes and delivers channel messages", async () => {
    const got: unknown[] = [];
    const stream = openGatewayStream({ url, channels: ["ticker:*:BTC-USDT"], onMessage: (m) => got.push(m) });
    await stream.ready;
    for (let i = 0; i < 100 && got.length === 0; i++) await Bun.sleep(20);
    stream.close();
    expect(got[0]).toEqual({ channel: "ticker:*:BTC-USDT", seq: 7, data: { x: 1 } });
  });
});
