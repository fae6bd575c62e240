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
import { DEPTH_PUSH_MS, subscribeDepth } from "./depth.ts";
import { malformedFrames } from "./malformed.ts";
import { CANDLE_PUSH_MS, Pushes, STATS_PUSH_MS } from "./pushes.ts";
import { candleParams, decodeRequest, depthParams, marketList, type Request } from "./requests.ts";
import { matchRest, REST_PATHS } from "./rest.ts";
import { ERRORS, errorReply, resultReply, successReply } from "./rpc.ts";
import { LIST_CHANNELS, type ListChannel, newSession, type WhitebitSession } from "./session.ts";
import { SymbolMap } from "./symbols.ts";

type Conn = SimConnection<WhitebitSession>;

/** Requests per connection per rolling minute; more are refused with error 7. */
const REQUESTS_PER_MINUTE = 200;
/** Private streams: subscribing without `authorize` is refused with error 6. */
const PRIVATE_METHOD =
  /^(authorize|balanceSpot|balanceMargin|ordersPending|ordersExecuted|deals|positions|borrows|borrowsEvents|marginPositionsEvents)(_|$)/;

const LIST_METHODS: ReadonlyMap<string, { channel: ListChannel; subscribe: boolean }> = new Map(
  LIST_CHANNELS.flatMap(
    (channel): Array<[string, { channel: ListChannel; subscribe: boolean }]> => [
      [`${channel}_subscribe`, { channel, subscribe: true }],
      [`${channel}_unsubscribe`, { channel, subscribe: false }],
    ],
  ),
);

/**
 * WhiteBIT: JSON-RPC over `/ws` — a `<x>_subscribe` replaces the channel's market set on the
 * connection, `depth_subscribe` adds one market (flag true), `candles_subscribe` holds one market
 * and period; the server never pings and closes a connection after `pongTimeoutMs` (60 s) without
 * a client message; 200 requests per minute per connection. REST under /api/v4 and /api/v1.
 */
class WhitebitRuntime implements ProfileRuntime {
  private readonly symbols: SymbolMap;
  private readonly conns = new Set<Conn>();
  private readonly pushes: Pushes;
  private readonly unlisten: () => void;
  private idleClosed = 0;

  constructor(private readonly ctx: ProfileContext) {
    this.symbols = new SymbolMap(ctx.generator);
    const pushes = new Pushes(ctx, this.symbols, this.conns);
    this.pushes = pushes;
    this.unlisten = ctx.generator.addListener({ onTrades: (b) => pushes.onTrades(b) });
    ctx.every(DEPTH_PUSH_MS, () => pushes.flushDepth());
    ctx.every(CANDLE_PUSH_MS, () => pushes.pushCandles());
    ctx.every(STATS_PUSH_MS, () => pushes.pushStats());
    const idleMs = ctx.limits.pongTimeoutMs;
    if (idleMs > 0) ctx.every(Math.max(20, Math.min(1000, idleMs / 5)), () => this.closeIdle(idleMs));
  }

  upgrade(url: URL): UpgradeDecision | undefined {
    if (url.pathname !== "/ws") return undefined;
    return { accept: true, session: newSession(Date.now()) };
  }

  onOpen(conn: SimConnection): void {
    const c = conn as Conn;
    c.session.lastMessageAt = Date.now();
    this.conns.add(c);
  }

  onClose(conn: SimConnection): void {
    this.conns.delete(conn as Conn);
  }

  onMessage(conn: SimConnection, text: string): void {
    const c = conn as Conn;
    const s = c.session;
    const now = Date.now();
    s.lastMessageAt = now;
    const times = s.requestTimes;
    while (times.length > 0 && times[0]! <= now - 60_000) times.shift();
    const decoded = decodeRequest(text);
    if (!decoded.ok && "invalidJson" in decoded) {
      // "The connection will be closed if invalid JSON is sent."
      c.close("drop", 1003, "invalid JSON");
      return;
    }
    const id = decoded.ok ? decoded.request.id : decoded.id;
    if (times.length >= REQUESTS_PER_MINUTE) {
      c.sendControl(errorReply(id, ERRORS.tooManyRequests));
      return;
    }
    times.push(now);
    if (!decoded.ok) c.sendControl(errorReply(id, decoded.error));
    else this.handle(c, decoded.request, now);
  }

  rest(method: string, url: URL): RestRoute | undefined {
    return matchRest(method, url, {
      generator: this.ctx.generator,
      truth: this.ctx.truth,
      symbols: this.symbols,
    });
  }

  /** WhiteBIT's gateway answers a 429 with a non-JSON page. */
  rateLimitedReply(retryAfterSec: number): HttpReply {
    return {
      status: 429,
      headers: { "Content-Type": "text/html", "Retry-After": String(retryAfterSec) },
      body: "<html><head><title>429 Too Many Requests</title></head><body><h1>429 Too Many Requests</h1></body></html>",
    };
  }

  /** WhiteBIT reports no used weight. */
  weightHeaders(): Record<string, string> {
    return {};
  }

  isSubscribed(conn: SimConnection): boolean {
    const s = (conn as Conn).session;
    return s.lists.size > 0 || s.depth.size > 0 || s.candle !== undefined;
  }

  malformedFrames(count: number): string[] {
    return malformedFrames(count, this.symbols.symbols()[0]!);
  }

  skipBookUpdates(market: string, count: number): void {
    this.pushes.skipBookUpdates(market, count);
  }

  injectBookFault(market: string, fault: BookFault): void {
    this.pushes.injectBookFault(market, fault);
  }

  info(): Record<string, unknown> {
    return {
      ws: "/ws (JSON-RPC)",
      methods: [
        "ping",
        "time",
        ...LIST_METHODS.keys(),
        "depth_subscribe",
        "depth_unsubscribe",
        "candles_subscribe",
        "candles_unsubscribe",
      ],
      keepalive: `closes a connection after ${this.ctx.limits.pongTimeoutMs} ms without a client message`,
      requestsPerMinute: REQUESTS_PER_MINUTE,
      idleClosed: this.idleClosed,
      symbols: this.symbols.symbols(),
      rest: REST_PATHS,
    };
  }

  stop(): void {
    this.unlisten();
    this.conns.clear();
  }

  // --- requests ---

  private handle(c: Conn, req: Request, now: number): void {
    const s = c.session;
    const list = LIST_METHODS.get(req.method);
    if (list) {
      if (!list.subscribe) {
        s.lists.delete(list.channel);
        c.sendControl(successReply(req.id));
        return;
      }
      const r = marketList(req.params, this.symbols, this.ctx.limits.maxStreamsPerConnection);
      if (!r.ok) {
        c.sendControl(errorReply(req.id, r.error));
        return;
      }
      s.lists.set(list.channel, r.value); // replaces the previous set
      c.sendControl(successReply(req.id));
      if (list.channel === "trades") this.pushes.replayTrades(c, r.value);
      return;
    }
    switch (req.method) {
      case "ping":
        c.sendControl(resultReply(req.id, "pong"));
        return;
      case "time":
        c.sendControl(resultReply(req.id, Math.floor(now / 1000)));
        return;
      case "depth_subscribe": {
        const r = depthParams(req.params, this.symbols);
        if (!r.ok) {
          c.sendControl(errorReply(req.id, r.error));
          return;
        }
        const { market, limit, multiple } = r.value;
        if (!multiple) s.depth.clear();
        const { sub, push } = subscribeDepth(market, limit, this.ctx.generator.book(market), now);
        s.depth.set(market, sub);
        c.sendControl(successReply(req.id));
        c.sendData(this.pushes.depthPayload(market, push, now));
        return;
      }
      case "depth_unsubscribe": {
        const [name] = req.params;
        if (name === undefined) s.depth.clear();
        else {
          const market = typeof name === "string" ? this.symbols.market(name) : undefined;
          if (!market) {
            c.sendControl(errorReply(req.id, ERRORS.invalidArgument));
            return;
          }
          s.depth.delete(market);
        }
        c.sendControl(successReply(req.id));
        return;
      }
      case "candles_subscribe": {
        const r = candleParams(req.params, this.symbols);
        if (!r.ok) {
          c.sendControl(errorReply(req.id, r.error));
          return;
        }
        s.candle = r.value; // one candle stream per connection: replaces the previous one
        c.sendControl(successReply(req.id));
        return;
      }
      case "candles_unsubscribe":
        s.candle = undefined;
        c.sendControl(successReply(req.id));
        return;
      default:
        c.sendControl(
          errorReply(req.id, PRIVATE_METHOD.test(req.method) ? ERRORS.authRequired : ERRORS.methodNotFound),
        );
    }
  }

  private closeIdle(idleMs: number): void {
    const now = Date.now();
    for (const c of this.conns) {
      if (c.open && now - c.session.lastMessageAt > idleMs) {
        this.idleClosed++;
        c.close("pongTimeout", 1000, "inactivity timeout");
      }
    }
  }
}

/** WhiteBIT v4: wss://api.whitebit.com/ws and https://whitebit.com REST, on one local port. */
export const whitebitProfile: ExchangeProfile = {
  id: "whitebit",
  marketKinds: ["spot", "perp"],
  defaults: {
    // the server never pings; the client must send something every < 60 s
    pingIntervalMs: 0,
    // reused as the inactivity deadline: no client message for this long closes the connection
    pongTimeoutMs: 60_000,
    maxConnectionAgeMs: 0,
    // WhiteBIT counts requests per minute (200, answered with error 7): the profile enforces it
    maxIncomingPerSecond: 0,
    // markets per list subscribe request: no documented limit (0 = none)
    maxStreamsPerConnection: 0,
    restWeightLimit: 2000,
    restWeightWindowMs: 10_000,
  },
  create: (ctx) => new WhitebitRuntime(ctx),
};
