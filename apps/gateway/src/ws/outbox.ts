import { type ChannelType, messageEndPosition } from "@tickerplant/core";
import type { GatewayMetrics } from "../metrics.ts";
import type { Delivery } from "./delivery.ts";
import { dataEnvelope } from "./protocol.ts";

/** The part of Bun's ServerWebSocket the gateway writes to. */
export interface ClientSocket {
  send(text: string): number;
  /** Bun: the sends inside the callback go out in one write. */
  cork?(callback: () => void): unknown;
  getBufferedAmount(): number;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

/**
 * Outboxes with frames waiting for the end of this burst, flushed together once per event-loop
 * turn: a burst of deliveries costs one corked write per socket instead of one per frame.
 */
const dirty = new Set<Outbox>();
let flushScheduled = false;
function scheduleFlush(outbox: Outbox): void {
  dirty.add(outbox);
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(() => {
    flushScheduled = false;
    const outboxes = [...dirty];
    dirty.clear();
    for (const o of outboxes) o.flush();
    countSent();
  });
}

/**
 * Frames sent this turn per metrics registry and type, added to the counter once per turn: a
 * labelled prom-client `inc` per frame and client cost more than the send itself.
 */
const sentThisTurn = new Map<GatewayMetrics, Map<ChannelType, number>>();
function sent(metrics: GatewayMetrics, type: ChannelType, n: number): void {
  let byType = sentThisTurn.get(metrics);
  if (!byType) {
    byType = new Map();
    sentThisTurn.set(metrics, byType);
  }
  byType.set(type, (byType.get(type) ?? 0) + n);
}

/** A data frame for one channel (a live Delivery once framed, or a snapshot). */
interface Frame {
  channel: string;
  type: ChannelType;
  frame: string;
}
function countSent(): void {
  for (const [metrics, byType] of sentThisTurn)
    for (const [type, n] of byType) metrics.wsMessagesSent.inc({ type }, n);
  sentThisTurn.clear();
}

/** Latest-value channels: a client that falls behind gets the newest value, not every one. */
const CONFLATED: ReadonlySet<ChannelType> = new Set(["ticker", "bbo", "stats"]);

/**
 * What goes out to one client, and its backpressure policy. Bun's send() returns -1 when the
 * frame was queued behind a backpressured socket and 0 when it was dropped. Quote channels
 * (ticker/bbo/stats) are conflated to the newest value per channel until the socket drains;
 * lossless channels (trades and the rest) are never dropped: a client whose buffer would exceed
 * the limit is reported as a slow consumer (the session closes it). Per channel, each stream
 * sequence goes out once and in increasing order, however many subscriptions overlap. Book
 * channels have their own policy (ClientBooks): a client that falls behind gets a fresh snapshot.
 */
export class Outbox {
  /** Highest stream position (eventPosition) sent (or covered by a snapshot) per concrete channel. */
  private readonly lastSeq = new Map<string, number>();
  /** Conflated quote frames waiting for the socket to drain, newest per channel. */
  private readonly pending = new Map<string, Frame>();
  private readonly writableWaiters: Array<() => void> = [];
  private backpressured = false;
  private closed = false;
  /** Frames of this burst, sent corked at its end. */
  private queue: Frame[] = [];
  private queuedBytes = 0;
  /** The socket's buffered bytes when this burst's first frame was queued (nothing is sent before its flush). */
  private bufferedAtBurst = 0;

  constructor(
    private readonly socket: ClientSocket,
    private readonly o: {
      maxBufferedBytes: number;
      metrics: GatewayMetrics;
      onSlowConsumer: (detail: string) => void;
    },
  ) {}

  /** A live or replayed message; returns false when it was a duplicate or out of order. */
  deliver(d: Delivery): boolean {
    if (this.closed) return false;
    const last = this.lastSeq.get(d.channel);
    if (last !== undefined && d.pos <= last) return false;
    this.lastSeq.set(d.channel, d.pos);
    // Serialized once per event, shared by every client of the channel (and queued as it is).
    d.frame ??= dataEnvelope(d.channel, d.seq, d.payload);
    this.push(d as Frame);
    return true;
  }

  /** A stored latest value, sent only when no live message for the channel went out yet. */
  snapshot(channel: string, type: ChannelType, seq: number | null, payload: string): void {
    if (this.closed || this.lastSeq.has(channel)) return;
    // Live messages at or below the stored value's sequence are older than it.
    if (seq !== null) this.lastSeq.set(channel, messageEndPosition(seq));
    this.push({ channel, type, frame: dataEnvelope(channel, seq, payload, true) });
  }

  /**
   * A book frame (ClientBooks decides which). It goes out only while the client keeps up: false
   * when the socket already holds more than the low-water mark or dropped the frame — the caller
   * then stops the channel's deltas and sends a fresh snapshot once the socket has drained.
   */
  book(text: string): boolean {
    if (this.closed || this.socket.getBufferedAmount() > this.lowWater()) return false;
    const status = this.socket.send(text);
    if (status === 0) return false;
    if (status === -1) this.backpressured = true;
    this.o.metrics.wsMessagesSent.inc({ type: "book" });
    return true;
  }

  /** Room for a book snapshot: the socket is at or below the low-water mark. */
  get bookWritable(): boolean {
    return !this.closed && this.socket.getBufferedAmount() <= this.lowWater();
  }

  /** Replies and errors: small, never conflated or counted against the buffer limit. */
  control(text: string): void {
    if (!this.closed) this.socket.send(text);
  }

  private push(f: Frame): void {
    const { metrics, maxBufferedBytes } = this.o;
    const conflated = CONFLATED.has(f.type);
    if (conflated && (this.backpressured || this.pending.size > 0)) {
      if (this.pending.delete(f.channel)) metrics.wsConflated.inc({ type: f.type });
      this.pending.set(f.channel, f);
      return;
    }
    if (this.queue.length === 0) this.bufferedAtBurst = this.socket.getBufferedAmount();
    if (!conflated && this.bufferedAtBurst + this.queuedBytes + f.frame.length > maxBufferedBytes) {
      this.o.onSlowConsumer(`slow consumer: more than ${maxBufferedBytes} bytes waiting to be sent`);
      return;
    }
    this.queue.push(f);
    this.queuedBytes += f.frame.length;
    if (this.queue.length === 1) scheduleFlush(this);
  }

  /** Sends this burst's frames in one corked write (called once per event-loop turn). */
  flush(): void {
    if (this.closed || this.queue.length === 0) return;
    const queue = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    const send = () => {
      // Counted per run of one type, not per frame (see sentThisTurn).
      let runType = queue[0]!.type;
      let run = 0;
      for (const f of queue) {
        const status = this.sendQueued(f);
        if (status === "cut") break;
        if (status === "held") continue;
        if (f.type !== runType) {
          if (run > 0) sent(this.o.metrics, runType, run);
          runType = f.type;
          run = 0;
        }
        run++;
      }
      if (run > 0) sent(this.o.metrics, runType, run);
    };
    if (this.socket.cork) this.socket.cork(send);
    else send();
    if (this.writableWaiters.length > 0 && !this.closed && this.socket.getBufferedAmount() <= this.lowWater())
      this.releaseWaiters();
  }

  /** One frame of a burst: sent, held back (conflated) or the client was cut off. */
  private sendQueued(f: Frame): "sent" | "held" | "cut" {
    if (CONFLATED.has(f.type)) {
      if (this.backpressured || this.pending.size > 0) {
        // Fell behind within the burst: keep only the newest per channel.
        if (this.pending.delete(f.channel)) this.o.metrics.wsConflated.inc({ type: f.type });
        this.pending.set(f.channel, f);
        return "held";
      }
      const status = this.socket.send(f.frame);
      if (status === 0) this.pending.set(f.channel, f); // dropped: keep it as the latest
      if (status <= 0) {
        this.backpressured = true;
        return "held";
      }
      return "sent";
    }
    const status = this.socket.send(f.frame);
    if (status === 0) {
      this.o.onSlowConsumer("slow consumer: send buffer full");
      return "cut";
    }
    if (status === -1) this.backpressured = true;
    return "sent";
  }

  /** Bun calls this when the socket's send buffer has drained. */
  onDrain(): void {
    if (this.closed) return;
    this.backpressured = false;
    for (const [channel, frame] of this.pending) {
      this.pending.delete(channel);
      const status = this.socket.send(frame.frame);
      if (status === 0) this.pending.set(channel, frame);
      if (status <= 0) {
        this.backpressured = true;
        break;
      }
      this.o.metrics.wsMessagesSent.inc({ type: frame.type });
    }
    if (this.socket.getBufferedAmount() <= this.lowWater()) this.releaseWaiters();
  }

  /** Resolves when the buffer (and this burst's frames) is low enough for more replayed data, or the client is gone. */
  writable(): Promise<void> {
    if (this.closed || this.socket.getBufferedAmount() + this.queuedBytes <= this.lowWater())
      return Promise.resolve();
    return new Promise((resolve) => this.writableWaiters.push(resolve));
  }

  /** Drops the order state and queued frames of channels no subscription covers any more. */
  forget(covered: (channel: string) => boolean): void {
    for (const channel of this.lastSeq.keys()) if (!covered(channel)) this.lastSeq.delete(channel);
    for (const channel of this.pending.keys()) if (!covered(channel)) this.pending.delete(channel);
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.queuedBytes = 0;
    dirty.delete(this);
    this.pending.clear();
    this.releaseWaiters();
  }

  private lowWater(): number {
    return Math.floor(this.o.maxBufferedBytes / 4);
  }

  private releaseWaiters(): void {
    for (const resolve of this.writableWaiters.splice(0)) resolve();
  }
}
