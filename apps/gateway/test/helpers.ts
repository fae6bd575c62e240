import { EXCHANGES, type Exchange, type Trade } from "@tickerplant/core";
import { prepareDatabase } from "@tickerplant/db";
import {
  connectNats,
  createLogger,
  createMetricsRegistry,
  createRedis,
  createSql,
  type Nats,
  provisionStreams,
  type Redis,
  type Sql,
  SubscriptionsStore,
} from "@tickerplant/runtime";
import { createGateway, type Gateway } from "../src/app.ts";
import { loadGatewayConfig } from "../src/config.ts";

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";
export const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

const binance = EXCHANGES.binance as Exchange;

/** An exchange id no other run uses: SQL rows, Redis keys and NATS subjects stay isolated. */
export function uniqueExchange(): string {
  return `gwt${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
}

/** A market name no other test uses. */
export function uniqueMarket(): string {
  return `T${crypto.randomUUID().replaceAll("-", "").slice(0, 8).toUpperCase()}-USDT`;
}

export interface TestGateway {
  gateway: Gateway;
  port: number;
  base: string;
  wsUrl: string;
  sql: Sql;
  redis: Redis;
  nats: Nats;
  exchange: string;
  logs: string[];
  subscriptions: SubscriptionsStore;
  close(): Promise<void>;
}

/**
 * Starts the gateway in-process on a free port against the real test infrastructure. The
 * exchange registry is the core's plus one test exchange (a copy of the binance adapter under a
 * unique id) so tests own every key and row they assert on.
 */
export async function startTestGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const exchange = uniqueExchange();
  const logs: string[] = [];
  const log = createLogger({ service: "gateway-test", level: "warn", write: (line) => logs.push(line) });
  const sql = createSql(TEST_DATABASE_URL, { max: 4, name: "gateway-test" });
  await prepareDatabase(sql, log);
  const redis = createRedis(REDIS_URL, "gateway-test");
  const nats = await connectNats(NATS_URL, "gateway-test", log);
  await provisionStreams(nats.jsm, { replicas: 1, tradesRetentionDays: 7 }, log);
  const config = loadGatewayConfig({
    HTTP_PORT: "0",
    HTTP_HOST: "127.0.0.1",
    DATABASE_URL: TEST_DATABASE_URL,
    NATS_URL,
    REDIS_URL,
    ...env,
  });
  const exchanges = {
    ...EXCHANGES,
    [exchange]: {
      ...binance,
      id: exchange,
      name: `Test ${exchange}`,
      adapters: binance.adapters.map((a) => ({ ...a, id: exchange })),
    },
  };
  const subscriptions = await SubscriptionsStore.open(nats, 1, log);
  const gateway = createGateway({
    sql,
    redis,
    nats,
    registry: createMetricsRegistry("gateway-test"),
    log,
    config,
    exchanges,
    subscriptions,
  });
  const port = gateway.start();
  return {
    gateway,
    port,
    base: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    sql,
    redis,
    nats,
    exchange,
    logs,
    subscriptions,
    async close() {
      await gateway.stop();
      for (const e of await subscriptions.list())
        if (e.exchange === exchange) await subscriptions.delete(e.exchange, e.market);
      for (const table of ["trades", "candles", "markets"])
        await sql`delete from ${sql(table)} where exchange = ${exchange}`;
      const keys = await redis.keys(`*:${exchange}*`); // test cleanup only; the gateway itself uses SCAN
      if (keys.length > 0) await redis.del(...keys);
      // Leave nothing for other consumers of the shared streams (e.g. a storage-writer) to replay.
      for (const [stream, type] of [
        ["MD_TRADES", "trade"],
        ["MD_QUOTES", "ticker"],
        ["MD_QUOTES", "bbo"],
      ] as const) {
        await nats.jsm.streams.purge(stream, { filter: `md.${type}.${exchange}.>` });
      }
      await nats.close();
      redis.disconnect();
      await sql.end({ timeout: 5 });
    },
  };
}

export function makeTrade(exchange: string, market: string, i: number, ts: number): Trade {
  return {
    type: "trade",
    exchange,
    market,
    symbol: market.replace("-", ""),
    ts,
    recvTs: ts + 1.5,
    id: String(1000 + i),
    price: 100 + i,
    amount: 0.5 + i,
    side: i % 2 === 0 ? "buy" : "sell",
  };
}

/** Publishes a normalized message to JetStream; resolves its stream sequence. */
export async function publish(nats: Nats, subject: string, msg: unknown): Promise<number> {
  const ack = await nats.js.publish(subject, JSON.stringify(msg));
  return ack.seq;
}

type Frame = Record<string, unknown>;

/** A WebSocket test client that queues every frame and waits for the one a test expects. */
export class WsClient {
  readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  private readonly ws: WebSocket;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.addEventListener("open", () => resolve());
      this.ws.addEventListener("error", () => reject(new Error("websocket error")));
    });
    this.closed = new Promise((resolve) => {
      this.ws.addEventListener("close", (ev) => resolve({ code: ev.code, reason: ev.reason }));
    });
    this.ws.addEventListener("message", (ev) => {
      this.frames.push(JSON.parse(String(ev.data)) as Frame);
      for (const w of this.waiters.splice(0)) w();
    });
    this.ws.addEventListener("close", () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(url: string): Promise<WsClient> {
    const c = new WsClient(url);
    await c.opened;
    return c;
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === "string" ? msg : JSON.stringify(msg));
  }

  /** The first queued frame that matches (taken out of the queue); other frames stay queued. */
  async next(match: (f: Frame) => boolean = () => true, timeoutMs = 3000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = 0; i < this.frames.length; i++) {
        const f = this.frames[i]!;
        if (match(f)) {
          this.frames.splice(i, 1);
          return f;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(
          `no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a request and waits for its reply (matched by id). */
  async request(msg: Frame & { id: number }, timeoutMs = 3000): Promise<Frame> {
    this.send(msg);
    return this.next((f) => f.id === msg.id && typeof f.type === "string", timeoutMs);
  }

  /** Data frames of a channel received so far (not yet taken). */
  data(channel?: string): Frame[] {
    return this.frames.filter(
      (f) => typeof f.channel === "string" && (channel === undefined || f.channel === channel),
    );
  }

  close(): void {
    this.ws.close();
  }

  get readyState(): number {
    return this.ws.readyState;
  }
}
