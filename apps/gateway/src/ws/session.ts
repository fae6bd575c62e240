import {
  ChannelError,
  type ChannelSpec,
  channelMatches,
  channelSubjectFilter,
  parseChannel,
} from "@tickerplant/core";
import type { Logger, Nats, Redis } from "@tickerplant/runtime";
import type { GatewayMetrics } from "../metrics.ts";
import type { BookHub } from "./book-hub.ts";
import { BookSubscription } from "./book-subscription.ts";
import { ClientBooks } from "./client-books.ts";
import type { Delivery } from "./delivery.ts";
import type { FanoutHub } from "./hub.ts";
import { type ClientSocket, Outbox } from "./outbox.ts";
import {
  type ClientRequest,
  type ErrorCode,
  messageBytes,
  ProtocolError,
  parseRequest,
  type RequestId,
  reply,
} from "./protocol.ts";
import { MessageRateLimit } from "./rate-limit.ts";
import { ReplayFeed } from "./replay-feed.ts";
import { hasSnapshot, readSnapshots } from "./snapshot.ts";
import type { SubjectStreams } from "./subjects.ts";
import { LiveSubscription, ResumedSubscription, type Subscription } from "./subscription.ts";

export interface SessionLimits {
  maxMessageBytes: number;
  maxSubscriptions: number;
  rateLimit: number;
  maxBufferedBytes: number;
}

export interface SessionDeps {
  hub: FanoutHub;
  /** Order-book feeds (book channels keep a replica per market). */
  books: BookHub;
  streams: SubjectStreams;
  nats: Nats;
  redis: Redis;
  log: Logger;
  metrics: GatewayMetrics;
  limits: SessionLimits;
}

/** Policy violation: the close code for flooding and slow consumers. */
export const CLOSE_POLICY = 1008;
const TERMINATE_AFTER_MS = 5000;

/**
 * One WebSocket client: the protocol, rate and size limits, and its subscriptions. What is sent
 * and how backpressure is handled is the Outbox's job.
 */
export class ClientSession {
  private readonly subs = new Map<string, Subscription>();
  private readonly outbox: Outbox;
  private readonly books: ClientBooks;
  private readonly rate: MessageRateLimit;
  private ops: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    readonly id: string,
    private readonly socket: ClientSocket,
    private readonly deps: SessionDeps,
  ) {
    this.rate = new MessageRateLimit(deps.limits.rateLimit);
    this.outbox = new Outbox(socket, {
      maxBufferedBytes: deps.limits.maxBufferedBytes,
      metrics: deps.metrics,
      onSlowConsumer: (detail) => this.disconnect("slow_consumer", detail),
    });
    this.books = new ClientBooks(this.outbox, deps.metrics);
  }

  onMessage(message: unknown): void {
    if (this.closed) return;
    const { limits } = this.deps;
    const verdict = this.rate.take();
    if (verdict === "flood") {
      this.disconnect("flooding", `rate limit exceeded: over ${limits.rateLimit * 5} messages/s for 2 s`);
      return;
    }
    const size = messageBytes(message);
    if (size > limits.maxMessageBytes) {
      this.sendError("message_too_large", `message of ${size} bytes exceeds ${limits.maxMessageBytes} bytes`);
      return;
    }
    if (verdict === "limited") {
      this.sendError(
        "rate_limited",
        `more than ${limits.rateLimit} messages per second; slow down`,
        peekId(message),
      );
      return;
    }
    let req: ClientRequest;
    try {
      req = parseRequest(message, limits.maxSubscriptions);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.sendError(err.code, err.message, err.id ?? peekId(message));
      return;
    }
    if (req.op === "ping") {
      this.outbox.control(reply.pong(req.id));
      return;
    }
    // Subscribe/unsubscribe touch NATS and Redis: run them one at a time, in the client's order.
    const run = req.op === "subscribe" ? () => this.subscribe(req) : () => this.unsubscribe(req);
    this.ops = this.ops.then(run).catch((err) => {
      if (err instanceof ProtocolError) this.sendError(err.code, err.message, err.id);
      else {
        this.deps.log.error("websocket request failed", { session: this.id, err });
        this.sendError("unavailable", "the request could not be completed; try again", req.id);
      }
    });
  }

  private parseChannels(
    names: string[],
    id: RequestId | undefined,
  ): Array<{ name: string; spec: ChannelSpec }> {
    return names.map((name) => {
      try {
        return { name, spec: parseChannel(name) };
      } catch (err) {
        if (err instanceof ChannelError) throw new ProtocolError(err.code, err.message, id);
        throw err;
      }
    });
  }

  private async subscribe(req: Extract<ClientRequest, { op: "subscribe" }>): Promise<void> {
    const { limits, log } = this.deps;
    const fresh = this.parseChannels(req.channels, req.id).filter((c) => !this.subs.has(c.name));
    if (this.subs.size + fresh.length > limits.maxSubscriptions) {
      throw new ProtocolError(
        "too_many_subscriptions",
        `${fresh.length} more channel(s) would exceed the limit of ${limits.maxSubscriptions} per client (subscribed: ${this.subs.size})`,
        req.id,
      );
    }
    const created = fresh.map((c) => this.createSubscription(c.name, c.spec, req));
    const results = await Promise.allSettled(created.map((s) => s.start()));
    const failed = results.find((r) => r.status === "rejected");
    if (failed || this.closed) {
      for (const s of created) s.stop();
      if (this.closed) return;
      log.warn("subscribe failed", { session: this.id, err: (failed as PromiseRejectedResult).reason });
      throw new ProtocolError("unavailable", "market data stream unavailable; try again", req.id);
    }
    for (const s of created) this.subs.set(s.name, s);
    this.deps.metrics.wsSubscriptions.inc(created.length);
    this.outbox.control(reply.subscribed(req.channels, req.id));
    for (const s of created) s.activate();
    for (const s of created) if (!s.resumed && hasSnapshot(s.spec)) await this.sendSnapshots(s);
  }

  private createSubscription(
    name: string,
    spec: ChannelSpec,
    req: Extract<ClientRequest, { op: "subscribe" }>,
  ): Subscription {
    const { hub, streams, nats, log, metrics } = this.deps;
    // A book resumes with a fresh snapshot, not a replay: `since` does not apply to it.
    if (spec.type === "book") return new BookSubscription(name, spec, this.deps.books, this.books);
    if (!req.since) return new LiveSubscription(name, spec, hub, (d) => this.deliver(d));
    const filter = channelSubjectFilter(spec);
    const stream = streams.streamOf(filter);
    if (!stream)
      throw new ProtocolError("invalid_channel", `channel "${name}" has no stream to replay`, req.id);
    const feed = new ReplayFeed({
      filter,
      stream,
      since: req.since,
      sink: (d) => this.deliver(d),
      writable: () => this.outbox.writable(),
      nats,
      log,
      metrics,
    });
    return new ResumedSubscription(name, spec, feed);
  }

  private async sendSnapshots(sub: Subscription): Promise<void> {
    if (!hasSnapshot(sub.spec)) return;
    try {
      for (const snap of await readSnapshots(this.deps.redis, sub.spec, this.deps.metrics)) {
        if (!this.subs.has(sub.name)) break; // unsubscribed meanwhile
        this.outbox.snapshot(snap.channel, sub.spec.type, snap.seq, snap.payload);
      }
    } catch (err) {
      this.deps.log.warn("snapshot read failed", { session: this.id, channel: sub.name, err });
      this.sendError("unavailable", `snapshot for ${sub.name} unavailable; live updates continue`);
    }
  }

  private async unsubscribe(req: Extract<ClientRequest, { op: "unsubscribe" }>): Promise<void> {
    let removed = 0;
    for (const { name } of this.parseChannels(req.channels, req.id)) {
      const sub = this.subs.get(name);
      if (!sub) continue;
      sub.stop();
      this.subs.delete(name);
      removed++;
    }
    this.deps.metrics.wsSubscriptions.dec(removed);
    // Forget channels no remaining subscription covers (a later resume may replay them again).
    const specs = [...this.subs.values()].map((s) => s.spec);
    const covered = (channel: string) => specs.some((spec) => channelMatches(spec, channel));
    this.outbox.forget(covered);
    this.books.forget(covered);
    this.outbox.control(reply.unsubscribed(req.channels, req.id));
  }

  /** A live or replayed message for one of this client's subscriptions. */
  deliver(d: Delivery): void {
    this.outbox.deliver(d);
  }

  onDrain(): void {
    this.outbox.onDrain();
    this.books.onDrain();
  }

  private sendError(code: ErrorCode, message: string, id?: RequestId): void {
    this.deps.metrics.wsErrors.inc({ code });
    this.outbox.control(reply.error(code, message, id));
  }

  /** Closes the connection with a reason the client can read (close reasons are ≤ 123 bytes). */
  disconnect(reason: string, text: string, code = CLOSE_POLICY): void {
    if (this.closed) return;
    this.deps.metrics.wsDisconnects.inc({ reason });
    this.deps.log.info("closing websocket client", { session: this.id, reason, detail: text });
    this.onClose();
    this.socket.close(code, text.slice(0, 123));
    // A client that stopped reading may never complete the closing handshake.
    setTimeout(() => {
      try {
        this.socket.terminate();
      } catch {
        // already gone
      }
    }, TERMINATE_AFTER_MS).unref();
  }

  /** Releases everything the client held; safe to call more than once. */
  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const sub of this.subs.values()) sub.stop();
    this.deps.metrics.wsSubscriptions.dec(this.subs.size);
    this.subs.clear();
    this.outbox.close();
  }
}

function peekId(message: unknown): RequestId | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const id = (message as { id?: unknown }).id;
  return typeof id === "number" || (typeof id === "string" && id.length <= 64) ? id : undefined;
}
