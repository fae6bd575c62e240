import type { SimConnection } from "../../server/connection.ts";
import { TopicIndex } from "../../server/topic-index.ts";
import { combined } from "./payloads.ts";

/** What a fan-out needs of a connection's session: its envelope mode and its listed streams. */
export interface StreamSession<S> {
  /** Payloads wrapped as {"stream","data"}: true on /stream, false on /ws (SET_PROPERTY changes it). */
  combined: boolean;
  /** Subscribed streams by canonical name, in subscription order. */
  streams: Map<string, S>;
}

type Conn<S> = SimConnection<StreamSession<S>>;

/** Stream subscriptions of all connections, and delivery in raw or combined form. */
export class Fanout<S extends { name: string }> {
  private readonly index = new TopicIndex<Conn<S>>();

  subscribe(conn: Conn<S>, streams: readonly S[]): void {
    for (const s of streams) {
      if (conn.session.streams.has(s.name)) continue;
      conn.session.streams.set(s.name, s);
      this.index.add(s.name, conn);
    }
  }

  unsubscribe(conn: Conn<S>, names: readonly string[]): void {
    for (const n of names) {
      if (!conn.session.streams.delete(n)) continue;
      this.index.remove(n, conn);
    }
  }

  /**
   * Delivery only, for a stream another fan-out's session lists (Binance: a USD-M stream on an
   * unrouted connection that the spot runtime owns).
   */
  attach(conn: SimConnection<StreamSession<unknown>>, name: string): void {
    this.index.add(name, conn as Conn<S>);
  }

  detach(conn: SimConnection<StreamSession<unknown>>, name: string): void {
    this.index.remove(name, conn as Conn<S>);
  }

  removeConnection(conn: SimConnection<StreamSession<unknown>>): void {
    for (const n of conn.session.streams.keys()) this.index.remove(n, conn as Conn<S>);
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
