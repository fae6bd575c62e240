import {
  type ContractSpec,
  type ExchangeAdapter,
  type FrameResult,
  type MarketMessage,
  marketSubject,
  messageId,
  type NormalizedMessage,
  type ParseContext,
  type Subscription,
  subjectOf,
} from "@tickerplant/core";
import {
  type ConnectionEvent,
  ExchangeConnection,
  type JetStreamPublisher,
  type Logger,
  RateWindow,
  type RestExecutor,
} from "@tickerplant/runtime";
import { BacklogGuard } from "./backlog-guard.ts";
import type { BookMetrics } from "./book-metrics.ts";
import { EventContinuity } from "./event-continuity.ts";
import { FeedBooks } from "./feed-books.ts";
import type { FeedMetrics } from "./feed-metrics.ts";
import { InvalidFrameReports } from "./invalid-frames.ts";
import { statusEvent } from "./status-events.ts";

export interface ExchangeFeedOptions {
  adapter: ExchangeAdapter;
  /** REST depth snapshots for book sync, under the exchange's shared weight budget. */
  rest?: RestExecutor;
  books: { metrics: BookMetrics; snapshotLimit: number; snapshotIntervalMs: number };
  subscriptions: Subscription[];
  wsUrl: string;
  simulated: boolean;
  publisher: JetStreamPublisher;
  /** Publish backlog beyond which market data is dropped and reported as a gap. */
  maxBacklog: number;
  /**
   * The stream's last message on a subject. Given on an ingestor's first start (not to a feed
   * replacing another): each market's last published event is compared with its first new one.
   */
  lastPublished?: (subject: string) => Promise<string | undefined>;
  /**
   * A contract-sized adapter's contracts for these markets (stored instruments, else its
   * instruments endpoint): sizes are published in base units.
   */
  contracts?: (
    markets: string[],
    signal: AbortSignal,
  ) => Promise<{ contracts: Map<string, ContractSpec>; missing: string[] }>;
  metrics: FeedMetrics;
  log: Logger;
  maxConnectionAgeMs?: number;
  staleAfterMs?: number;
  /** Override of the adapter's data-stall windows (0 = off). */
  dataStallMs?: number;
  /** At most one `invalid_frames` status per this window (default 10 s). */
  invalidFrameReportMs?: number;
}

/** How long the feed waits for its contract values before it starts without them. */
const CONTRACTS_TIMEOUT_MS = 10_000;

/**
 * Ingests one exchange: opens as many connections as its limits require, parses every frame with
 * the adapter, publishes normalized messages with deterministic ids, and publishes status events
 * (connected, disconnected, stale, and the gap a disconnect leaves) for every affected market,
 * and an exchange-wide `invalid_frames` status (rate-limited) for frames it had to skip.
 */
export class ExchangeFeed {
  private connections: Array<{ conn: ExchangeConnection; markets: string[]; subscriptions: Subscription[] }> =
    [];
  private readonly marketBySymbol = new Map<string, string>();
  private readonly symbolByMarket = new Map<string, string>();
  private readonly loggedReasons = new Set<string>();
  private readonly states = new Map<ExchangeConnection, Map<string, unknown>>();
  private contracts = new Map<string, ContractSpec>();
  private readonly ctx: ParseContext;
  private readonly books: FeedBooks;
  private readonly backlog: BacklogGuard;
  private readonly continuity: EventContinuity;
  private readonly invalidFrames: InvalidFrameReports;
  private snapshotTimer: Timer | undefined;
  // Labelled children resolved once: label hashing per message is measurable on the hot path.
  private readonly frameCount: { inc(): void };
  private readonly messageCounts = new Map<string, { inc(): void }>();
  private readonly latency: { observe(v: number): void };
  /** When the last frame arrived, and how far its first message's event time lagged (for status). */
  lastFrameAt: number | null = null;
  lastLatencyMs: number | null = null;
  /** Messages published since this feed started (for the status route's message rate). */
  messagesPublished = 0;

  constructor(private readonly o: ExchangeFeedOptions) {
    for (const s of o.subscriptions) {
      const symbol = o.adapter.symbolOf(s.market);
      this.marketBySymbol.set(symbol, s.market);
      this.symbolByMarket.set(s.market, symbol);
    }
    this.ctx = {
      recvTs: 0,
      marketOf: (symbol) => this.marketBySymbol.get(symbol),
      state: new Map(),
      ...(o.adapter.contractSized ? { contractOf: (market: string) => this.contracts.get(market) } : {}),
    };
    this.frameCount = o.metrics.frames.labels({ exchange: o.adapter.id });
    this.latency = o.metrics.exchangeLatency.labels({ exchange: o.adapter.id });
    this.books = new FeedBooks(
      {
        adapter: o.adapter,
        rest: o.rest,
        snapshotLimit: o.books.snapshotLimit,
        metrics: o.books.metrics,
        log: o.log,
        publish: (m) => this.publish(m),
        status: (market, event, detail, range) =>
          this.publish(statusEvent(this.base(market), event, detail, range)),
        contractOf: (market) => this.contracts.get(market),
        resubscribe: (sub) => {
          const owner = this.connections.find((c) => c.subscriptions.some((s) => s === sub));
          void owner?.conn.resubscribe([sub]);
        },
      },
      o.subscriptions,
    );
    this.continuity = new EventContinuity(o.adapter.tradeIdsSequential === true);
    // A bad frame cannot be placed in a market: one exchange-wide report per window, with the counts.
    this.invalidFrames = new InvalidFrameReports({
      windowMs: o.invalidFrameReportMs ?? 10_000,
      report: (w) => {
        const reasons = Object.entries(w.counts)
          .map(([reason, n]) => `${reason} ${n}`)
          .join(", ");
        this.publish(
          statusEvent(this.base("*"), "invalid_frames", `${w.total} invalid frames skipped (${reasons})`, {
            from: w.from,
            to: w.to,
            counts: w.counts,
          }),
        );
      },
    });
    this.backlog = new BacklogGuard({
      backlog: () => o.publisher.backlog,
      maxBacklog: o.maxBacklog,
      onDrop: (msg) => {
        o.metrics.dropped.inc({ exchange: msg.exchange, type: msg.type });
        // A dropped delta breaks the book's chain: rebuild it rather than publish a hole.
        if (msg.type === "book") this.books.dropMarkets([msg.market]);
      },
      onGap: (market, w) => {
        o.log.warn("publish backlog was full; market data dropped and reported as a gap", {
          market,
          dropped: w.dropped,
        });
        this.publish(
          statusEvent(this.base(market), "gap", `publish backlog full: ${w.dropped} messages dropped`, {
            from: w.from,
            to: w.to,
          }),
        );
      },
    });
  }

  private base(market: string) {
    return {
      exchange: this.o.adapter.id,
      market,
      symbol: this.symbolByMarket.get(market) ?? "",
      simulated: this.o.simulated,
    };
  }

  /**
   * Before the first connection: each market's last published event (trades, or candles for a
   * market without trades) from the stream, to compare with the first new one.
   */
  async prepare(): Promise<void> {
    await this.loadContracts();
    const lastPublished = this.o.lastPublished;
    if (!lastPublished) return;
    const subjects = trackedSubjects(this.o.adapter.id, this.o.subscriptions);
    let seeded = 0;
    for (let i = 0; i < subjects.length; i += 16) {
      await Promise.all(
        subjects.slice(i, i + 16).map(async (subject) => {
          try {
            const data = await lastPublished(subject);
            const last = data ? lastMarketMessage(data) : undefined;
            if (last) {
              this.continuity.seed(subject, last);
              seeded++;
            }
          } catch (err) {
            this.o.log.warn("cannot read the last published event; no restart gap check for it", {
              subject,
              error: String(err),
            });
          }
        }),
      );
    }
    this.o.log.info("restart gap check prepared", { subjects: subjects.length, withHistory: seeded });
  }

  /** Contract-sized venues: each market's contract before the first frame is parsed. */
  private async loadContracts(): Promise<void> {
    if (this.o.adapter.contractSized !== true || !this.o.contracts) return;
    const markets = [...this.symbolByMarket.keys()];
    try {
      // A banned or hanging REST must not hold the feed back: it starts in contracts then.
      const { contracts, missing } = await this.o.contracts(
        markets,
        AbortSignal.timeout(CONTRACTS_TIMEOUT_MS),
      );
      this.contracts = contracts;
      if (missing.length > 0)
        this.o.log.warn("no contract value for these markets: their sizes stay in contracts", { missing });
    } catch (err) {
      this.o.log.error("cannot load contract values: sizes stay in contracts until the feed is replaced", {
        error: String(err),
      });
    }
  }

  start(): void {
    const { adapter } = this.o;
    const plans = adapter.ws.plan(this.o.subscriptions, this.o.wsUrl);
    const attempts = new RateWindow(
      adapter.ws.limits.connectionAttempts.count,
      adapter.ws.limits.connectionAttempts.windowMs,
    );
    plans.forEach((plan, i) => {
      const markets = [...new Set(plan.subscriptions.map((s) => s.market))];
      const name = `${adapter.id}#${i}`;
      const conn: ExchangeConnection = new ExchangeConnection({
        name,
        url: plan.url,
        spec: adapter.ws,
        subscriptions: plan.subscriptions,
        attempts,
        log: this.o.log,
        maxAgeMs: this.o.maxConnectionAgeMs,
        staleAfterMs: this.o.staleAfterMs,
        dataStallMs: this.o.dataStallMs,
        onFrame: (data, recvTs) => this.onFrame(conn, data, recvTs),
        onEvent: (e) => {
          // Parser state belongs to one connection's stream of frames.
          if (e.event === "connected" || e.event === "rotated") this.states.set(conn, new Map());
          // A new stream (reconnect or planned replacement) starts the books over.
          if (e.event === "disconnected" || e.event === "rotated") this.books.dropMarkets(markets);
          this.onConnectionEvent(markets, e);
        },
      });
      this.connections.push({ conn, markets, subscriptions: plan.subscriptions });
    });
    for (const { conn } of this.connections) conn.start();
    this.backlog.start();
    if (this.books.size > 0) {
      // Full books now and then, so that consumers joining mid-stream can start.
      this.snapshotTimer = setInterval(() => {
        for (const b of this.books.snapshots((m) => ({
          ...this.base(m),
          type: "book",
          ts: Date.now(),
          recvTs: Date.now(),
        }))) {
          this.publish(b);
        }
      }, this.o.books.snapshotIntervalMs);
    }
    this.o.log.info("feed started", {
      exchange: adapter.id,
      connections: plans.length,
      subscriptions: this.o.subscriptions.length,
      source: this.o.simulated ? "simulated" : "live",
    });
  }

  /** Parses and publishes one frame; returns whether it carried market data (the stall watchdog's input). */
  private onFrame(conn: ExchangeConnection, data: string | Uint8Array, recvTs: number): boolean {
    const exchange = this.o.adapter.id;
    this.frameCount.inc();
    this.ctx.recvTs = recvTs;
    let state = this.states.get(conn);
    if (!state) {
      state = new Map();
      this.states.set(conn, state);
    }
    this.ctx.state = state;
    let result: FrameResult;
    try {
      result = this.o.adapter.parseFrame(data, this.ctx);
    } catch (err) {
      // Adapters return "invalid" rather than throw; a throw is a bug, still never fatal.
      result = { kind: "invalid", reason: "parser_exception", detail: String(err) };
    }
    if (result.gap) {
      // The exchange's per-connection numbering skipped: every market on it may have lost data.
      const owner = this.connections.find((c) => c.conn === conn);
      const markets = owner?.markets ?? [];
      for (const m of markets) {
        this.publish(
          statusEvent(
            this.base(m),
            "gap",
            `connection sequence skipped ${result.gap.fromSeq}..${result.gap.toSeq}`,
            {
              fromSeq: result.gap.fromSeq,
              toSeq: result.gap.toSeq,
              to: recvTs,
            },
          ),
        );
      }
      this.books.dropMarkets(markets);
    }
    switch (result.kind) {
      case "data": {
        this.lastFrameAt = recvTs;
        const first = result.messages[0];
        if (first !== undefined && first.ts > 0) {
          this.lastLatencyMs = recvTs - first.ts;
          this.latency.observe(Math.max(0, this.lastLatencyMs) / 1000);
        }
        for (const msg of result.messages) {
          if (msg.type === "book") this.books.onBook(msg);
          else if (msg.type === "trade" || msg.type === "candle") {
            const subject = subjectOf(msg);
            const gap = this.continuity.check(subject, msg);
            if (gap) {
              const { detail, ...range } = gap;
              this.publish(statusEvent(this.base(msg.market), "gap", detail, range));
            }
            this.publish(msg, subject);
          } else this.publish(msg);
        }
        return true;
      }
      case "reply":
        conn.send(result.frame);
        return false;
      case "control":
        if (result.event === "server-shutdown") conn.reconnect();
        return false;
      case "error":
        this.o.metrics.exchangeErrors.inc({ exchange });
        this.o.log.error("exchange error reply", { exchange, id: result.id, message: result.message });
        return false;
      case "invalid":
        this.o.metrics.invalid.inc({ exchange, reason: result.reason });
        this.invalidFrames.add(result.reason);
        if (!this.loggedReasons.has(result.reason)) {
          this.loggedReasons.add(result.reason);
          const sample = typeof data === "string" ? data.slice(0, 300) : `<${data.byteLength} bytes>`;
          this.o.log.warn("invalid exchange frame (logged once per reason)", {
            exchange,
            reason: result.reason,
            detail: result.detail,
            sample,
          });
        }
        return false;
      default:
        return false;
    }
  }

  private publish(msg: NormalizedMessage, subject = subjectOf(msg)): void {
    if (this.o.simulated) msg.simulated = true;
    let counter = this.messageCounts.get(msg.type);
    if (!counter) {
      counter = this.o.metrics.messages.labels({ exchange: msg.exchange, type: msg.type });
      this.messageCounts.set(msg.type, counter);
    }
    if (!this.backlog.admit(msg)) return;
    counter.inc();
    this.messagesPublished++;
    if (msg.type === "status" && msg.event === "gap") this.o.metrics.gaps.inc({ exchange: msg.exchange });
    this.o.publisher.publishEvent(subject, JSON.stringify(msg), messageId(msg));
  }

  private onConnectionEvent(markets: string[], e: ConnectionEvent): void {
    const exchange = this.o.adapter.id;
    this.o.metrics.connectionEvents.inc({ exchange, event: e.event });
    if (e.event === "rotated") return;
    if (e.event === "recovered") {
      this.o.metrics.recovery.observe({ exchange }, e.downMs / 1000);
      this.o.log.info("exchange stream recovered", { exchange, markets: markets.length, downMs: e.downMs });
      return;
    }
    if (e.event === "connected") this.o.metrics.connectionsUp.inc({ exchange });
    // The reconnect's own gap event covers what the next trades' ids would say, up to now.
    if (e.event === "connected" && e.downSince !== null) this.continuity.reconnected(markets, e.at);
    if (e.event === "disconnected") this.o.metrics.connectionsUp.dec({ exchange });
    for (const market of markets) {
      const base = this.base(market);
      switch (e.event) {
        case "connected":
          this.publish(statusEvent(base, "connected", "subscribed"));
          if (e.downSince !== null) {
            // From the connection's last frame, or this market's last trade if older: frames of
            // other markets (or pings) may have come after this market's data stopped.
            const from = Math.min(e.downSince, this.continuity.lastTradeTs(market) ?? e.downSince);
            this.publish(statusEvent(base, "gap", "data missed while disconnected", { from, to: e.at }));
          }
          break;
        case "disconnected":
          this.publish(statusEvent(base, "disconnected", e.detail, { from: e.at }));
          break;
        case "stale":
          this.publish(
            statusEvent(
              base,
              "stale",
              e.kind === "silent"
                ? `no frame for ${e.silentMs} ms; reconnecting`
                : `no market data for ${e.silentMs} ms (keepalives only); reconnecting`,
            ),
          );
          break;
      }
    }
  }

  get adapter(): ExchangeAdapter {
    return this.o.adapter;
  }

  get subscriptions(): Subscription[] {
    return this.o.subscriptions;
  }

  /** Every planned connection is subscribed and delivering frames. */
  get receiving(): boolean {
    return this.connections.length > 0 && this.connections.every((c) => c.conn.receiving);
  }

  get connectedCount(): number {
    return this.connections.filter((c) => c.conn.connected).length;
  }

  *bookAges(): Iterable<[string, string, number]> {
    yield* this.books.ages();
  }

  async stop(): Promise<void> {
    clearInterval(this.snapshotTimer);
    this.books.stop();
    await Promise.all(this.connections.map(({ conn }) => conn.stop()));
    this.invalidFrames.stop();
    this.backlog.stop();
  }
}

/** Per market: its trade subject, or its candle subjects when it has no trades. */
function trackedSubjects(exchange: string, subscriptions: readonly Subscription[]): string[] {
  const byMarket = new Map<string, Subscription[]>();
  for (const s of subscriptions) byMarket.set(s.market, [...(byMarket.get(s.market) ?? []), s]);
  const out: string[] = [];
  for (const [market, subs] of byMarket) {
    if (subs.some((s) => s.channel === "trade")) out.push(marketSubject("trade", exchange, market));
    else {
      for (const s of subs) {
        if (s.channel === "candle" && s.interval)
          out.push(marketSubject("candle", exchange, market, s.interval));
      }
    }
  }
  return out;
}

/** A stored event's JSON text as a market message, when it is one. */
function lastMarketMessage(json: string): MarketMessage | undefined {
  try {
    const msg = JSON.parse(json) as unknown;
    if (msg && typeof msg === "object" && typeof (msg as MarketMessage).ts === "number")
      return msg as MarketMessage;
  } catch {
    // Not JSON: nothing to compare against.
  }
  return undefined;
}
