import type { Server } from "bun";
import { MarketGenerator } from "./market/generator.ts";
import { TradePump } from "./market/pump.ts";
import { parseMarketName } from "./market/spec.ts";
import type { SimTrade } from "./market/types.ts";
import { type ResolvedOptions, resolveOptions, type SimulatorOptions } from "./options.ts";
import type { BookFault } from "./profiles/book-faults.ts";
import { getProfile } from "./profiles/index.ts";
import { refusedMarkets } from "./profiles/market-kinds.ts";
import type { ProfileRuntime } from "./profiles/types.ts";
import type { SocketData } from "./server/connection.ts";
import { ConnectionManager } from "./server/connections.ts";
import { CONTROL_PATHS, type SimControl } from "./server/control-api.ts";
import { Faults } from "./server/faults.ts";
import { startHttpServer } from "./server/http-server.ts";
import { SimStats } from "./server/stats.ts";
import { WeightLimiter } from "./server/weight-limiter.ts";
import { GroundTruth } from "./truth/ground-truth.ts";

/**
 * A simulated exchange on localhost: a seeded market, its ground truth, and one exchange's protocol
 * (WebSocket + REST on one port) with misbehaviour on command.
 */
export class ExchangeSimulator implements SimControl {
  readonly options: ResolvedOptions;
  readonly generator: MarketGenerator;
  readonly groundTruth: GroundTruth;
  readonly faults = new Faults();
  readonly counters = new SimStats();
  private readonly limiter: WeightLimiter;
  private readonly connections: ConnectionManager;
  private readonly pump: TradePump;
  private readonly runtime: ProfileRuntime;
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private server: Server<SocketData> | undefined;
  private readonly startedAt = Date.now();

  constructor(options: SimulatorOptions = {}) {
    const profile = getProfile(options.exchange ?? "binance");
    this.options = resolveOptions(options, profile.defaults);
    const o = this.options;
    const refused = refusedMarkets(
      profile,
      o.markets.map((m) => (typeof m === "string" ? m : m.market)),
    );
    if (refused.length > 0) {
      throw new Error(
        `simulator: ${profile.id} lists no ${refused.map((m) => `${parseMarketName(m).kind} market ${m}`).join(", ")} (it has ${profile.marketKinds.join(" and ")} markets)`,
      );
    }
    const now = Date.now();
    this.generator = new MarketGenerator({
      seed: o.seed,
      markets: o.markets,
      bookDepth: o.bookDepth,
      ...(o.historyMs > 0 ? { startTime: now - o.historyMs } : {}),
    });
    this.groundTruth = new GroundTruth(this.generator, o.restTradesKept);
    if (o.historyMs > 0) generateHistory(this.generator, now - o.historyMs, now, o.historyTradesPerMinute);
    this.limiter = new WeightLimiter(o.limits.restWeightLimit, o.limits.restWeightWindowMs);
    this.pump = new TradePump(this.generator, o.tradesPerSecond, o.tickMs);
    let runtime: ProfileRuntime | undefined;
    this.connections = new ConnectionManager(o.limits, this.counters, this.faults, {
      beforeLifetimeClose: (conn) => {
        const notice = runtime?.shutdownNotice?.();
        if (o.sendShutdownNotice && notice) conn.write(notice);
      },
      sendHeartbeat: (conn) => (runtime?.heartbeat ? runtime.heartbeat(conn) : conn.ping(String(Date.now()))),
    });
    runtime = profile.create({
      generator: this.generator,
      truth: this.groundTruth,
      faults: this.faults,
      limits: o.limits,
      every: (ms, fn) => {
        this.timers.push(setInterval(fn, ms));
      },
      connections: () => this.connections.all(),
      usedWeight: () => this.limiter.current(),
    });
    this.runtime = runtime;
  }

  /** Same as `groundTruth` (SimControl). */
  get truth(): GroundTruth {
    return this.groundTruth;
  }

  get exchange(): string {
    return this.options.exchange;
  }

  get markets(): readonly string[] {
    return this.generator.markets;
  }

  get port(): number {
    if (!this.server) throw new Error("simulator: not started");
    return this.server.port ?? 0;
  }

  get host(): string {
    return this.options.host;
  }

  /** http://host:port — REST base and control API base. */
  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** ws://host:port — append /ws/<stream> or /stream?streams=... */
  get wsUrl(): string {
    return `ws://${this.host}:${this.port}`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** Opens the port and (unless autoStart is false) starts generating trades. */
  start(): this {
    if (this.server) return this;
    this.server = startHttpServer({
      host: this.options.host,
      port: this.options.port,
      backpressureLimitBytes: this.options.backpressureLimitBytes,
      runtime: this.runtime,
      connections: this.connections,
      limiter: this.limiter,
      faults: this.faults,
      stats: this.counters,
      control: this,
    });
    this.pump.start();
    if (!this.options.autoStart) this.pump.pause();
    return this;
  }

  /** Stops generating, closes every connection and the port. */
  async stop(): Promise<void> {
    this.pump.stop();
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    this.runtime.stop();
    this.groundTruth.close();
    const server = this.server;
    this.server = undefined;
    if (server) {
      this.connections.closeAll(1001, "simulator stopping");
      await server.stop(true);
    }
  }

  // --- generation ---

  /** Stops generating trades (sockets stay open, tickers and candles keep ticking). */
  pause(): void {
    this.pump.pause();
  }

  resume(): void {
    this.pump.resume();
  }

  get paused(): boolean {
    return this.pump.isPaused;
  }

  setTradesPerSecond(n: number): void {
    this.pump.setRate(n);
  }

  /** Generates `count` trades for a market now and sends them, outside the timer (deterministic tests). */
  generate(market: string, count: number): SimTrade[] {
    if (!this.generator.has(market)) throw new Error(`simulator: unknown market ${market}`);
    return this.generator.generate(market, Math.max(0, Math.floor(count)), Date.now());
  }

  /** Moves a market's price by `ticks`; the next trades trade around it (a level a test must cross). */
  shiftPrice(market: string, ticks: number): void {
    if (!this.generator.has(market)) throw new Error(`simulator: unknown market ${market}`);
    this.generator.shiftMid(market, ticks);
  }

  // --- misbehaviour ---

  /** Cuts every WebSocket connection now (no close frame). Returns how many. */
  dropConnections(): number {
    return this.connections.dropAll();
  }

  /**
   * Sends no data frames for `ms` (sockets stay open; trades are still generated and recorded);
   * `silent` withholds pings, heartbeats and control replies too.
   */
  stall(ms: number, options: { silent?: boolean } = {}): void {
    this.faults.stall(ms, Date.now(), options.silent === true);
  }

  /**
   * Sends `count` malformed frames to every connection that listens to at least one stream:
   * `mixed` the profile's own bad frames, `truncated` those cut in half, `gzip-corrupt` binary
   * frames that start like gzip and are not.
   */
  sendMalformed(count: number, kind: MalformedKind = "mixed"): { connections: number; frames: number } {
    const n = Math.max(0, Math.floor(count));
    const frames: Array<string | Uint8Array> =
      kind === "gzip-corrupt"
        ? Array.from({ length: n }, (_, i) => corruptGzip(i))
        : this.runtime
            .malformedFrames(n)
            .map((f) => (kind === "truncated" ? f.slice(0, Math.max(1, Math.floor(f.length / 2))) : f));
    let connections = 0;
    for (const c of this.connections.all()) {
      if (!c.open || !this.runtime.isSubscribed(c)) continue;
      connections++;
      for (const f of frames) c.write(f);
      this.counters.malformedSent += frames.length;
    }
    return { connections, frames: frames.length * connections };
  }

  /** Answers the next `count` REST calls with 429 and this Retry-After. */
  reject429(count: number, retryAfterSec = 1): void {
    this.faults.reject429(count, retryAfterSec);
  }

  /** Answers the next `count` REST calls with the exchange's rate-limit reply as 429, 418 or 403, with Retry-After. */
  rejectRest(count: number, status: 429 | 418 | 403, retryAfterSec = 1): void {
    this.faults.rejectRest(count, status, retryAfterSec);
  }

  /**
   * Holds the next `count` REST answers for `ms` (a REST snapshot that times out at the client);
   * with `path` (e.g. the adapter's depthRequest path), only answers to that path.
   */
  delayRest(count: number, ms: number, path?: string): void {
    this.faults.delayRest(count, ms, path);
  }

  /** Drops the next `count` book-delta events of a market: a sequence gap clients must detect. */
  skipBookUpdates(market: string, count: number): void {
    if (!this.runtime.skipBookUpdates)
      throw new Error(`simulator: ${this.exchange} cannot skip book updates`);
    this.runtime.skipBookUpdates(market, Math.max(0, Math.floor(count)));
  }

  /** Disturbs the next book update(s) of a market: a gap, a duplicate, a swap or a crossed book. */
  injectBookFault(market: string, fault: BookFault): void {
    if (!this.generator.has(market)) throw new Error(`simulator: unknown market ${market}`);
    if (!this.runtime.injectBookFault)
      throw new Error(`simulator: ${this.exchange} cannot inject book faults`);
    this.runtime.injectBookFault(market, fault);
  }

  // --- introspection ---

  /** REST weight used in the current window. */
  usedWeight(): number {
    return this.limiter.current();
  }

  stats(): Record<string, unknown> {
    const c = this.counters;
    return {
      exchange: this.exchange,
      simulated: true,
      uptimeMs: Date.now() - this.startedAt,
      paused: this.paused,
      stalledForMs: this.faults.stallRemainingMs(),
      tradesPerSecond: this.pump.tradesPerSecond,
      connections: this.connections.size,
      connectionsOpened: c.connectionsOpened,
      connectionsClosed: c.connectionsClosed,
      closedBy: { ...c.closedBy },
      framesSent: c.framesSent,
      bytesSent: c.bytesSent,
      framesSuppressed: c.framesSuppressed,
      framesDropped: c.framesDropped,
      malformedSent: c.malformedSent,
      pingsSent: c.pingsSent,
      pongsReceived: c.pongsReceived,
      restRequests: c.restRequests,
      restRejected429: c.restRejected429,
      restUsedWeight: this.limiter.current(),
      restPeakWeight: this.limiter.peak,
      restWeightLimit: this.limiter.limit,
      pending429: this.faults.pending429,
      tradesGenerated: this.groundTruth.counts(),
      tradesGeneratedTotal: this.groundTruth.total(),
    };
  }

  info(): Record<string, unknown> {
    return {
      exchange: this.exchange,
      simulated: true,
      seed: this.options.seed,
      markets: this.generator.markets.map((m) => {
        const s = this.generator.spec(m);
        return { market: m, startPrice: s.startPrice, tickSize: s.tickSize, stepSize: s.stepSize };
      }),
      url: this.running ? this.url : null,
      wsUrl: this.running ? this.wsUrl : null,
      limits: this.options.limits,
      control: CONTROL_PATHS,
      profile: this.runtime.info(),
    };
  }
}

export interface StartedSimulator {
  /** http://host:port (REST and /_sim control API). */
  url: string;
  /** ws://host:port (append /ws/<stream> or /stream?streams=...). */
  wsUrl: string;
  /** REST base, same as url. */
  restUrl: string;
  port: number;
  stop(): Promise<void>;
  sim: ExchangeSimulator;
}

/** Starts a simulator in-process (port 0 by default) for tests. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<StartedSimulator> {
  const sim = new ExchangeSimulator(options).start();
  return { url: sim.url, wsUrl: sim.wsUrl, restUrl: sim.url, port: sim.port, stop: () => sim.stop(), sim };
}

export type MalformedKind = "mixed" | "truncated" | "gzip-corrupt";
export const MALFORMED_KINDS: MalformedKind[] = ["mixed", "truncated", "gzip-corrupt"];

/** A gzip member whose deflate data is damaged and cut short (decompression fails). */
function corruptGzip(i: number): Uint8Array {
  const good = Bun.gzipSync(`{"corrupt":${i},"padding":"${"x".repeat(64)}"}`);
  const bad = good.slice(0, Math.max(12, good.length - 9));
  for (let k = 10; k < bad.length; k += 3) bad[k] = (bad[k]! ^ 0x5a) & 0xff;
  return bad;
}

/** The generated past: `perMinute` trades per market per minute from `from` to `to`, evenly spaced. */
function generateHistory(generator: MarketGenerator, from: number, to: number, perMinute: number): void {
  const step = 60_000 / perMinute;
  for (let t = from; t < to; t += step) {
    for (const m of generator.markets) generator.generate(m, 1, Math.floor(t));
  }
  generator.tick(to);
}
