import type { Subscription, WsSpec } from "@tickerplant/core";
import { backoffDelay, jitter } from "./backoff.ts";
import type { Logger } from "./logger.ts";
import type { RateWindow } from "./rate-window.ts";
import { dataStallWindow } from "./stall-window.ts";

export type ConnectionEvent =
  | { event: "connected"; at: number; downSince: number | null }
  | { event: "disconnected"; at: number; detail: string }
  /**
   * Declared stalled and closed for a reconnect: no frame at all for silentMs (`silent`), or no
   * market data for silentMs while keepalives still came (`no-data`).
   */
  | { event: "stale"; at: number; silentMs: number; kind: "silent" | "no-data" }
  /** The first market data after a reconnect: the stream is back, downMs after the gap began. */
  | { event: "recovered"; at: number; downMs: number }
  | { event: "rotated"; at: number };

export interface ExchangeConnectionOptions {
  name: string;
  url: string;
  spec: WsSpec;
  subscriptions: Subscription[];
  /** Shared by every connection to the same exchange: connection attempts per window. */
  attempts: RateWindow;
  /**
   * Returns `false` for a frame that carried no market data (keepalive, ack, …): it proves the link
   * is up, not that the stream flows. Any other result counts the frame as data.
   */
  onFrame(data: string | Uint8Array, recvTs: number): unknown;
  onEvent(e: ConnectionEvent): void;
  log: Logger;
  backoff?: { baseMs: number; maxMs: number };
  /** Override the spec's planned-reconnect age (tests). */
  maxAgeMs?: number;
  staleAfterMs?: number;
  /** Override the data-stall window (see dataStallWindow); 0 turns the check off. */
  dataStallMs?: number;
}

/**
 * One exchange WebSocket connection that stays up: subscribes within the exchange's message rate,
 * keeps alive by the adapter's rule, watches for a stale or stalled stream (no frame at all, or
 * keepalives but no market data: an exchange can keep pinging a feed that froze), reconnects with jittered
 * exponential backoff, and replaces itself before the exchange's maximum connection age
 * (make-before-break, so a planned reconnect loses nothing; duplicates are removed downstream by
 * their message ids). Exchange specifics come from the adapter's WsSpec only.
 */
export class ExchangeConnection {
  private socket: WebSocket | undefined;
  private stopped = false;
  private attempt = 0;
  private downSince: number | null = null;
  private lastFrameAt = 0;
  private lastDataAt = 0;
  /** Since when data is missing, until the first data frame after a reconnect. */
  private recoveringSince: number | null = null;
  /** Set when the watchdog closes the socket: where the missing data begins. */
  private stalledSince: number | null = null;
  private readonly dataStallMs: number;
  private subscribedAt = Number.POSITIVE_INFINITY;
  private control: Promise<void> = Promise.resolve();
  private nextId = 1;
  private timers = new Set<Timer>();
  /** When the next subscription frame may go out (frames are spaced evenly, see paced()). */
  private nextSlot = 0;

  constructor(private readonly o: ExchangeConnectionOptions) {
    this.dataStallMs = o.dataStallMs ?? dataStallWindow(o.spec, o.subscriptions);
  }

  start(): void {
    void this.open("initial");
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Open, subscribed, and a frame has arrived since the subscriptions were sent. */
  get receiving(): boolean {
    return this.connected && this.lastFrameAt >= this.subscribedAt;
  }

  private later(ms: number, fn: () => void): Timer {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  private async open(reason: "initial" | "reconnect" | "rotate"): Promise<void> {
    if (this.stopped) return;
    await this.o.attempts.take(1);
    if (this.stopped) return;
    const socket = new WebSocket(this.o.url);
    socket.binaryType = "arraybuffer";
    const rotating = reason === "rotate" ? this.socket : undefined;
    let opened = false;
    let keepalive: Timer | undefined;
    let watchdog: Timer | undefined;

    socket.onopen = () => {
      opened = true;
      if (!rotating) this.socket = socket;
      this.lastFrameAt = Date.now();
      this.lastDataAt = this.lastFrameAt;
      void this.subscribe(socket);
      const ka = this.o.spec.keepalive;
      if (ka.kind === "client-ping") {
        keepalive = setInterval(
          () => socket.readyState === WebSocket.OPEN && socket.send(ka.message),
          ka.intervalMs,
        );
      }
      const staleAfter = this.o.staleAfterMs ?? this.o.spec.staleAfterMs;
      const stallAfter = this.dataStallMs;
      watchdog = setInterval(
        () => {
          if (this.socket !== socket) return;
          const now = Date.now();
          const silent = now - this.lastFrameAt;
          const noData = now - this.lastDataAt;
          if (silent > staleAfter) this.declareStale(socket, now, silent, "silent");
          else if (stallAfter > 0 && noData > stallAfter) this.declareStale(socket, now, noData, "no-data");
        },
        Math.max(100, Math.min(5000, Math.min(staleAfter, stallAfter || staleAfter) / 4)),
      );
      // Stagger planned reconnects: each connection rotates at 90–100 % of the maximum age.
      const maxAge = this.o.maxAgeMs ?? this.o.spec.maxConnectionAgeMs;
      this.later(Math.round(maxAge * (0.9 + 0.1 * jitter())), () => {
        if (this.socket === socket && !this.stopped) void this.open("rotate");
      });
      if (!rotating) {
        this.o.onEvent({ event: "connected", at: Date.now(), downSince: this.downSince });
        this.recoveringSince = this.downSince;
        this.downSince = null;
      }
      this.o.log.info("exchange connection open", { connection: this.o.name, reason });
    };

    socket.onmessage = (ev) => {
      const now = Date.now();
      if (rotating && this.socket === rotating) {
        // The replacement delivers data: retire the old connection.
        this.socket = socket;
        rotating.close(1000, "planned reconnect");
        this.o.onEvent({ event: "rotated", at: now });
      }
      if (this.socket !== socket && rotating === undefined) return;
      this.lastFrameAt = now;
      const data = ev.data;
      const carried = this.o.onFrame(
        typeof data === "string" ? data : new Uint8Array(data as ArrayBuffer),
        now,
      );
      if (carried === false) return;
      this.lastDataAt = now;
      if (this.recoveringSince !== null) {
        this.o.onEvent({ event: "recovered", at: now, downMs: now - this.recoveringSince });
        this.recoveringSince = null;
      }
    };

    socket.onclose = (ev) => {
      clearInterval(keepalive);
      clearInterval(watchdog);
      if (this.socket !== socket) return; // a retired or never-promoted socket
      this.socket = undefined;
      const now = Date.now();
      if (opened) {
        // Data may be missing since the last frame, not only since the close: a stale stream is
        // closed staleAfterMs after its last frame (a stalled one after its last data frame), and
        // that window must be in the gap too.
        this.downSince = Math.min(now, this.stalledSince ?? (this.lastFrameAt || now));
        this.stalledSince = null;
        this.o.onEvent({ event: "disconnected", at: now, detail: `close ${ev.code} ${ev.reason}`.trim() });
      }
      if (this.stopped) return;
      const delay = backoffDelay(
        this.attempt++,
        this.o.backoff?.baseMs ?? 500,
        this.o.backoff?.maxMs ?? 30_000,
      );
      this.o.log.warn("exchange connection closed; reconnecting", {
        connection: this.o.name,
        code: ev.code,
        reason: ev.reason,
        delayMs: delay,
      });
      this.later(delay, () => void this.open("reconnect"));
    };

    socket.onerror = () => {
      // onclose follows; a socket that never opened still needs its retry scheduled.
      if (!opened && !rotating) this.socket = socket;
    };
  }

  /** No frame, or no data, for too long: report it and close, so that onclose reconnects. */
  private declareStale(socket: WebSocket, now: number, silentMs: number, kind: "silent" | "no-data"): void {
    this.stalledSince = now - silentMs;
    this.o.onEvent({ event: "stale", at: now, silentMs, kind });
    socket.close(4000, kind === "silent" ? "stale stream" : "stalled stream (no data)");
    // A peer that hangs may never answer the close handshake: cut the socket then.
    this.later(2000, () => {
      if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
    });
  }

  private async subscribe(socket: WebSocket): Promise<void> {
    const frames = this.o.spec.subscribeFrames(this.o.subscriptions, () => this.nextId++);
    for (const frame of frames) {
      if (socket.readyState !== WebSocket.OPEN) return;
      await this.paced();
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send(frame);
    }
    // Subscribed again: the next failure starts a fresh backoff.
    this.attempt = 0;
    this.subscribedAt = Date.now();
  }

  /** Asks the exchange to send these subscriptions afresh (e.g. a new book snapshot), paced. */
  resubscribe(subscriptions: Subscription[]): Promise<void> {
    // One at a time, so that many markets resyncing at once stay within the message rate.
    this.control = this.control.then(() => this.sendResubscribe(subscriptions)).catch(() => {});
    return this.control;
  }

  private async sendResubscribe(subscriptions: Subscription[]): Promise<void> {
    const spec = this.o.spec;
    const nextId = () => this.nextId++;
    const frames = spec.resubscribeFrames
      ? spec.resubscribeFrames(subscriptions, this.o.subscriptions, nextId)
      : [...spec.unsubscribeFrames(subscriptions, nextId), ...spec.subscribeFrames(subscriptions, nextId)];
    for (const frame of frames) {
      await this.paced();
      this.send(frame);
    }
  }

  /**
   * Waits for the next free slot of the exchange's message rate, leaving one message per second of
   * headroom for keepalives. Slots are reserved at once, so concurrent senders never share one; a
   * frame on a quiet connection goes out immediately (a resync's resubscribe is not held back).
   */
  private async paced(): Promise<void> {
    const gapMs = Math.ceil(1000 / Math.max(1, this.o.spec.limits.messagesPerSecond - 1));
    const now = Date.now();
    const at = Math.max(now, this.nextSlot);
    this.nextSlot = at + gapMs;
    if (at > now) await Bun.sleep(at - now);
  }

  /** Sends an application frame (e.g. an answer the exchange asked for). */
  send(frame: string): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(frame);
  }

  /** Force a reconnect (e.g. the exchange announced a shutdown). */
  reconnect(): void {
    if (this.socket && !this.stopped) void this.open("rotate");
  }

  /** Closes the connection; resolves once it is closed (its "disconnected" event emitted). */
  async stop(timeoutMs = 2000): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) =>
      socket.addEventListener("close", () => resolve(), { once: true }),
    );
    socket.close(1000, "shutdown");
    await Promise.race([closed, Bun.sleep(timeoutMs)]);
  }
}
