import type { SimConnection } from "../../server/connection.ts";
import { TopicIndex } from "../../server/topic-index.ts";
import { combined } from "./payloads.ts";
import type { BinanceSession } from "./session.ts";
import type { BinanceStream } from "./streams.ts";

type Conn = SimConnection<BinanceSession>;

/** Stream subscriptions of all connections, and delivery in raw or combined form. */
export class Fanout {
  private readonly index = new TopicIndex<Conn>();

  subscribe(conn: Conn, streams: readonly BinanceStream[]): void {
    for (const s of streams) {
      if (conn.session.streams.has(s.name)) continue;
      conn.session.streams.set(s.name, s);
      this.index.add(s.name, conn);
    }
  }

  unsubscribe(conn: Conn, names: readonly string[]): void {
    for (const n of names) {
      if (!conn.session.streams.delete(n)) continue;
      this.index.remove(n, conn);
    }
  }

  removeConnection(conn: Conn): void {
    for (const n of conn.session.streams.keys()) this.index.remove(n, conn);
  }

  hasListeners(stream: string): boolean {
    return this.index.has(stream);
  }

  /** Sends payloads (each its own frame) to every listener of a stream. */
  publish(stream: string, payloads: readonly string[]): void {
    const subs = this.index.get(stream);
    if (!subs || payloads.length === 0) return;
    let wrapped: string[] | undefined;
    for (const conn of subs) {
      if (conn.session.combined) {
        wrapped ??= payloads.map((p) => combined(stream, p));
        conn.sendDataMany(wrapped);
      } else {
        conn.sendDataMany(payloads);
      }
    }
  }

  /** Builds the payloads lazily: only when someone listens. */
  publishLazy(stream: string, build: () => string[]): void {
    if (!this.index.has(stream)) return;
    this.publish(stream, build());
  }
}
