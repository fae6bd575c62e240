import type { SimConnection } from "../../server/connection.ts";
import type { BookFault } from "../book-faults.ts";
import type {
  ExchangeProfile,
  HttpReply,
  ProfileContext,
  ProfileRuntime,
  RestRoute,
  UpgradeDecision,
} from "../types.ts";
import { type ControlLimits, handleControl } from "./control.ts";
import { Fanout } from "./fanout.ts";
import { malformedFrames } from "./malformed.ts";
import { matchRest, REST_PATHS } from "./rest.ts";
import { type BybitSession, newSession } from "./session.ts";
import { MarketStreams } from "./streams.ts";
import { type Category, SymbolMaps } from "./symbols.ts";
import { parseTopic } from "./topics.ts";

type Conn = SimConnection<BybitSession>;

const PATHS: Record<string, Category> = { "/v5/public/spot": "spot", "/v5/public/linear": "linear" };
/** Bybit's args budget of one connection, in characters. */
const MAX_ARGS_CHARS = 21_000;

/**
 * Bybit v5 public market data: `/v5/public/spot` and `/v5/public/linear` WebSocket streams (op
 * subscribe/unsubscribe/ping, topic pushes, the 10-minute idle cut) and the v5 market REST
 * endpoints, on one local port. Spot markets are served on the spot path, `-PERP` markets on the
 * linear path.
 */
class BybitRuntime implements ProfileRuntime {
  private readonly symbols: SymbolMaps;
  private readonly fanout = new Fanout();
  private readonly streams: MarketStreams;

  constructor(private readonly ctx: ProfileContext) {
    this.symbols = new SymbolMaps(ctx.generator);
    this.streams = new MarketStreams(ctx, this.symbols, this.fanout);
    const idle = ctx.limits.pongTimeoutMs;
    if (idle > 0) ctx.every(Math.max(50, Math.min(10_000, Math.floor(idle / 4))), () => this.closeIdle(idle));
  }

  upgrade(url: URL): UpgradeDecision | undefined {
    const category = PATHS[url.pathname.replace(/\/+$/, "")];
    if (category) return { accept: true, session: newSession(category, "", Date.now()) };
    if (url.pathname.startsWith("/v5/public/") || url.pathname.startsWith("/v5/private")) {
      return { accept: false, reply: { status: 404, body: "404 page not found" } };
    }
    return undefined;
  }

  onOpen(conn: SimConnection): void {
    const s = (conn as Conn).session;
    s.connId = `sim${conn.id}-${s.category}`;
  }

  onMessage(conn: SimConnection, text: string): void {
    const c = conn as Conn;
    const s = c.session;
    const action = handleControl(text, s, this.controlLimits(s.category));
    switch (action.kind) {
      case "reply":
        c.sendControl(action.frame);
        return;
      case "ping":
        s.lastPingAt = Date.now();
        c.sendControl(action.frame);
        return;
      case "unsubscribe":
        for (const name of action.names) this.fanout.remove(c, name);
        c.sendControl(action.frame);
        return;
      case "subscribe":
        c.sendControl(action.frame);
        for (const topic of action.topics) this.streams.subscribe(c, topic);
        return;
    }
  }

  onClose(conn: SimConnection): void {
    this.fanout.removeConnection(conn as Conn);
  }

  rest(method: string, url: URL): RestRoute | undefined {
    return matchRest(method, url, {
      generator: this.ctx.generator,
      truth: this.ctx.truth,
      symbols: this.symbols,
      decimals: (m) => this.streams.decimals(m),
      orderbook: (m, limit) => this.streams.orderbook(m, limit),
    });
  }

  /** Bybit answers an IP over its budget with 403 "access too frequent" and a ≥ 10-minute ban; the
   * simulator adds Retry-After (its own window) so that tests need not wait for that. */
  rateLimitedReply(retryAfterSec: number): HttpReply {
    return { status: 403, headers: { "Retry-After": String(retryAfterSec) }, body: "access too frequent" };
  }

  /** Public endpoints report no budget (X-Bapi-Limit-* are per-UID, for private calls). */
  weightHeaders(): Record<string, string> {
    return {};
  }

  isSubscribed(conn: SimConnection): boolean {
    return (conn as Conn).session.topics.size > 0;
  }

  malformedFrames(count: number): string[] {
    return malformedFrames(count, this.symbols.symbol(this.ctx.generator.markets[0]!));
  }

  skipBookUpdates(market: string, count: number): void {
    this.streams.skipBookUpdates(market, count);
  }

  injectBookFault(market: string, fault: BookFault): void {
    this.streams.injectBookFault(market, fault);
  }

  info(): Record<string, unknown> {
    return {
      ws: { spot: "/v5/public/spot", linear: "/v5/public/linear" },
      topics: [
        "publicTrade.<S>",
        "orderbook.<1|50|200|1000>.<S>",
        "tickers.<S>",
        "kline.<1|3|5|15|30|60|120|240|360|720|D|W|M>.<S>",
        "allLiquidation.<S> (linear)",
      ],
      symbols: { spot: this.symbols.symbols("spot"), linear: this.symbols.symbols("linear") },
      rest: REST_PATHS,
    };
  }

  stop(): void {
    this.streams.stop();
  }

  private controlLimits(category: Category): ControlLimits {
    return {
      maxArgsPerRequest: category === "spot" ? 10 : 0,
      maxArgsChars: MAX_ARGS_CHARS,
      maxTopics: this.ctx.limits.maxStreamsPerConnection,
      parse: (raw) => parseTopic(category, raw, this.symbols),
    };
  }

  /** Bybit cuts a connection that neither pinged nor received data for 10 minutes (pongTimeoutMs). */
  private closeIdle(idleMs: number): void {
    const now = Date.now();
    for (const conn of this.ctx.connections()) {
      const s = (conn as Conn).session;
      if (!conn.open || s === undefined) continue;
      if (conn.framesSent !== s.framesSeen) {
        s.framesSeen = conn.framesSent;
        s.lastActiveAt = now;
      }
      if (now - Math.max(s.lastPingAt, s.lastActiveAt) > idleMs)
        conn.close("pongTimeout", 1000, "idle: no ping and no data");
    }
  }
}

/** Bybit v5 public spot and linear: stream.bybit.com WebSocket and api.bybit.com REST, on one local port. */
export const bybitProfile: ExchangeProfile = {
  id: "bybit",
  marketKinds: ["spot", "perp"],
  defaults: {
    // The client pings (op "ping"); the server sends no ping frames.
    pingIntervalMs: 0,
    // Here: the idle cut, no ping from the client and no data for 10 minutes.
    pongTimeoutMs: 600_000,
    maxConnectionAgeMs: 0,
    // Bybit documents no incoming message rate for public streams.
    maxIncomingPerSecond: 0,
    // Bybit limits a connection's args by characters (21 000), not by count; 0 = no count limit.
    maxStreamsPerConnection: 0,
    restWeightLimit: 600,
    restWeightWindowMs: 5_000,
  },
  create: (ctx) => new BybitRuntime(ctx),
};
