/**
 * The bridges against real systems: the RabbitMQ on :5672 (guest/guest; infra/test.sh starts one
 * where none runs) receives the Laravel events at a bounded rate per market; a real ZeroMQ
 * subscriber (pyzmq, libzmq) receives topic-prefixed messages and only the prefixes it asked for.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { AMQPClient } from "@cloudamqp/amqp-client";
import { headers as natsHeaders } from "@nats-io/transport-node";
import {
  type Candle,
  EVENTS_HEADER,
  EVENTS_VERSION,
  encodeEvents,
  type NormalizedMessage,
  type Ticker,
  type Trade,
} from "@tickerplant/core";
import { connectNats, createLogger, createMetricsRegistry, type Nats } from "@tickerplant/runtime";
import { waitFor } from "@tickerplant/testkit";
import type { Subprocess } from "bun";
import { Bridge } from "../src/bridge.ts";
import { loadBridgeConfig } from "../src/config.ts";

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const RABBITMQ_URL = process.env.TEST_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const RUN = Date.now().toString(36);
const EX = `brt${RUN}`;
const MARKET = "BTC-USDT";
const OTHER = "ETH-USDT";
const ZMQ_ENDPOINT = `tcp://127.0.0.1:${26000 + (Date.now() % 1000)}`;
const log = createLogger({ service: "bridge-test", level: "error" });

let nats: Nats;
let bridge: Bridge;
let amqp: AMQPClient;
let cleanup: () => Promise<unknown> = async () => {};
const events: Array<{ routingKey: string; body: Record<string, unknown>; at: number }> = [];
let sub: Subprocess<"ignore", "pipe", "pipe">;
const zmqLines: Array<{ topic?: string; payload?: string; ready?: boolean }> = [];

const POLL = { timeoutMs: 20_000, stepMs: 50 };

const base = (market: string, ts: number) => ({
  exchange: EX,
  market,
  symbol: market.replace("-", ""),
  ts,
  recvTs: ts + 1,
});
const trade = (market: string, i: number, price: number): Trade => ({
  type: "trade",
  ...base(market, 1_717_000_000_000 + i),
  id: String(i),
  price,
  amount: 0.5,
  side: "buy",
});
const ticker = (last: number): Ticker =>
  ({
    type: "ticker",
    ...base(MARKET, 1_717_000_000_000),
    last,
    open: 1,
    high: 2,
    low: 0.5,
    volume: 10,
    quoteVolume: 100,
    change: 1,
    changePct: 1,
    bid: last - 1,
    ask: last + 1,
  }) as Ticker;
const candle = (closed: boolean): Candle =>
  ({
    type: "candle",
    ...base(MARKET, 1_717_000_059_999),
    interval: "1m",
    openTime: 1_717_000_000_000,
    closeTime: 1_717_000_059_999,
    open: 1,
    high: 2,
    low: 0.5,
    close: 1.5,
    volume: 3,
    quoteVolume: 4,
    trades: 5,
    closed,
    simulated: true,
  }) as Candle;

function publish(m: NormalizedMessage): void {
  const subject =
    m.type === "candle"
      ? `md.candle.${m.exchange}.${m.market}.${m.interval}`
      : `md.${m.type}.${m.exchange}.${m.market}`;
  nats.nc.publish(subject, JSON.stringify(m));
}

beforeAll(async () => {
  nats = await connectNats(NATS_URL, "bridge-test", log);
  // The test's consumer: a private queue bound to everything on the test's topic exchange.
  amqp = new AMQPClient(RABBITMQ_URL);
  const conn = await amqp.connect();
  const ch = await conn.channel();
  await ch.exchangeDeclare(`crypto.events.${RUN}`, "topic", { durable: true });
  cleanup = () => ch.exchangeDelete(`crypto.events.${RUN}`);
  const q = await ch.queueDeclare("", { exclusive: true, autoDelete: true });
  await ch.queueBind(q.name, `crypto.events.${RUN}`, "crypto.#");
  await ch.basicConsume(q.name, { noAck: true }, (msg) => {
    events.push({ routingKey: msg.routingKey, body: JSON.parse(msg.bodyToString() ?? "{}"), at: Date.now() });
  });

  bridge = new Bridge({
    config: loadBridgeConfig({
      NATS_URL,
      RABBITMQ_URL,
      RABBITMQ_EXCHANGE: `crypto.events.${RUN}`,
      RABBITMQ_MAX_PER_SECOND: "2",
      ZEROMQ_PUB_ENDPOINT: ZMQ_ENDPOINT,
    }),
    nats,
    registry: createMetricsRegistry("bridge-test"),
    log,
    subject: `md.*.${EX}.>`,
  });
  await bridge.start();

  // Debian's python3 has python3-zmq (a pyenv python on PATH may not).
  const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  sub = Bun.spawn([python, resolve(import.meta.dir, "zmq_subscriber.py"), ZMQ_ENDPOINT, `md.trade.${EX}.`], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  void (async () => {
    let buf = "";
    for await (const chunk of sub.stdout) {
      buf += new TextDecoder().decode(chunk);
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        zmqLines.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    }
  })();
  await waitFor("the ZeroMQ subscriber", () => zmqLines.some((l) => l.ready), POLL);
}, 60_000);

afterAll(async () => {
  sub?.kill();
  await bridge?.stop();
  await cleanup().catch(() => {});
  await amqp?.close().catch(() => {});
  await nats?.close();
});

describe("RabbitMQ bridge", () => {
  test("a burst of trades becomes crypto.price.updated at a bounded rate per market, newest price last", async () => {
    const t0 = Date.now();
    for (let i = 1; i <= 300; i++) publish(trade(MARKET, i, 100 + i));
    for (let i = 1; i <= 50; i++) publish(trade(OTHER, i, 10 + i));
    await waitFor(
      "the newest price of each market",
      () => {
        const last = (m: string) =>
          events.filter((e) => e.routingKey === "crypto.price.updated" && e.body.market === m).at(-1);
        return (last(MARKET)?.body.data as { price?: number })?.price === 400 &&
          (last(OTHER)?.body.data as { price?: number })?.price === 60
          ? true
          : undefined;
      },
      POLL,
    );
    const prices = events.filter((e) => e.routingKey === "crypto.price.updated" && e.body.market === MARKET);
    // 300 trades in well under a second at 2 per second per market: a handful of events, not 300.
    const seconds = (Date.now() - t0) / 1000;
    expect(prices.length).toBeLessThanOrEqual(Math.ceil(seconds * 2) + 1);
    expect(prices.at(-1)!.body).toEqual({
      event: "crypto.price.updated",
      exchange: EX,
      market: MARKET,
      symbol: "BTCUSDT",
      data: { price: 400, amount: 0.5, side: "buy", tradeId: "300" },
      timestamp: 1_717_000_000,
      ts: 1_717_000_000_300,
    });
  });

  test("tickers become crypto.ticker.updated; closed candles crypto.candle.closed (open ones are not sent)", async () => {
    publish(ticker(123));
    publish(candle(false));
    publish(candle(true));
    const t = await waitFor(
      "ticker event",
      () => events.find((e) => e.routingKey === "crypto.ticker.updated"),
      POLL,
    );
    expect(t.body).toMatchObject({
      event: "crypto.ticker.updated",
      market: MARKET,
      data: { last: 123, bid: 122, ask: 124 },
    });
    const c = await waitFor(
      "candle event",
      () => events.find((e) => e.routingKey === "crypto.candle.closed"),
      POLL,
    );
    expect(c.body).toMatchObject({
      event: "crypto.candle.closed",
      simulated: true,
      data: { interval: "1m", openTime: 1_717_000_000_000, close: 1.5, trades: 5 },
    });
    await Bun.sleep(600);
    expect(events.filter((e) => e.routingKey === "crypto.candle.closed").length).toBe(1);
  });
});

describe("ZeroMQ PUB bridge", () => {
  test("a real subscriber gets [topic, JSON] for its prefix only", async () => {
    // PUB/SUB drops messages until the subscription has propagated: publish until one arrives.
    let i = 1000;
    await waitFor(
      "a trade at the ZeroMQ subscriber",
      () => {
        publish(trade(MARKET, i++, 1));
        publish(ticker(1));
        return zmqLines.some((l) => l.topic);
      },
      { ...POLL, timeoutMs: 30_000 },
    );
    const got = zmqLines.filter((l) => l.topic);
    for (const l of got) expect(l.topic!.startsWith(`md.trade.${EX}.`)).toBe(true);
    const first = JSON.parse(got[0]!.payload!);
    expect(first).toMatchObject({ type: "trade", exchange: EX, market: MARKET });
    expect(got[0]!.topic).toBe(`md.trade.${EX}.${MARKET}`);
  });

  test("an event batch on NATS (Tp-Events: 1, NDJSON) becomes one ZeroMQ message per event", async () => {
    const headers = natsHeaders();
    headers.set(EVENTS_HEADER, EVENTS_VERSION);
    const batch = encodeEvents([
      JSON.stringify(trade(MARKET, 90_001, 7)),
      JSON.stringify(trade(MARKET, 90_002, 8)),
    ]);
    const seen = () =>
      zmqLines
        .filter((l) => l.payload)
        .map((l) => JSON.parse(l.payload!).id)
        .filter((id: string) => id === "90001" || id === "90002");
    await waitFor(
      "both events of the batch",
      () => {
        nats.nc.publish(`md.trade.${EX}.${MARKET}`, batch, { headers });
        return seen().includes("90001") && seen().includes("90002");
      },
      { ...POLL, timeoutMs: 20_000 },
    );
  });
});
