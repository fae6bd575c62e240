import { JetStreamApiError, type PubAck } from "@nats-io/jetstream";
import {
  createInbox,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  NoRespondersError,
  type Subscription,
  TimeoutError,
} from "@nats-io/transport-node";

interface Waiting {
  resolve(ack: PubAck): void;
  reject(err: Error): void;
  deadline: number;
}

/**
 * JetStream publishes as core publishes whose replies (the PubAcks) come back on one inbox
 * subscription, with one timer for all of them. `js.publish` makes a request per message: a
 * routed reply, a timer and an error object each, ~95 µs of CPU per message on this machine at
 * a few hundred messages/s (docs/benchmarks.md, "Pipeline"). The acknowledgement is the same
 * server reply, so the guarantees are the same.
 */
export class PubAckInbox {
  private readonly prefix: string;
  private readonly waiting = new Map<string, Waiting>();
  private readonly sub: Subscription;
  private readonly sweeper: Timer;
  private next = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {
    this.prefix = `${createInbox()}.`;
    this.sub = nc.subscribe(`${this.prefix}*`, { callback: (_err, msg) => this.settle(msg) });
    this.sweeper = setInterval(() => this.expire(), Math.max(50, Math.min(1000, timeoutMs / 4)));
  }

  /** Publishes `data` to a stream subject; resolves with the stream's acknowledgement. */
  publish(subject: string, data: Uint8Array | string, headers: MsgHdrs): Promise<PubAck> {
    const token = (this.next++).toString(36);
    return new Promise<PubAck>((resolve, reject) => {
      try {
        this.nc.publish(subject, data, { reply: this.prefix + token, headers });
      } catch (err) {
        reject(err as Error); // refused by the client itself (too large, closed)
        return;
      }
      this.waiting.set(token, { resolve, reject, deadline: performance.now() + this.timeoutMs });
    });
  }

  private settle(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length);
    const w = this.waiting.get(token);
    if (!w) return; // expired already
    this.waiting.delete(token);
    if (msg.headers?.hasError) {
      const code = msg.headers.code;
      w.reject(code === 503 ? new NoRespondersError(msg.subject) : new Error(`publish failed: ${msg.headers.status}`));
      return;
    }
    try {
      const ack = msg.json<PubAck & { error?: ConstructorParameters<typeof JetStreamApiError>[0] }>();
      if (ack.error) w.reject(new JetStreamApiError(ack.error));
      else if (!ack.stream) w.reject(new Error("invalid ack response"));
      else w.resolve({ ...ack, duplicate: ack.duplicate === true });
    } catch (err) {
      w.reject(new Error("unreadable ack response", { cause: err }));
    }
  }

  /** Map order is publish order and every entry has the same timeout: stop at the first live one. */
  private expire(): void {
    const now = performance.now();
    for (const [token, w] of this.waiting) {
      if (w.deadline > now) break;
      this.waiting.delete(token);
      w.reject(new TimeoutError());
    }
  }

  /** Rejects what is still waiting and drops the subscription. */
  close(): void {
    clearInterval(this.sweeper);
    this.sub.unsubscribe();
    for (const w of this.waiting.values()) w.reject(new Error("publisher closed"));
    this.waiting.clear();
  }
}
