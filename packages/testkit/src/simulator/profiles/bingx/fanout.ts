import type { SimConnection } from "../../server/connection.ts";
import { TopicIndex } from "../../server/topic-index.ts";
import type { BingxSession } from "./session.ts";
import type { Topic } from "./topics.ts";
import type { Venue } from "./venue.ts";

type Conn = SimConnection<BingxSession>;

/** BingX compresses every server frame: gzip once per payload, send the bytes to every listener. */
export function gzip(text: string): Uint8Array {
  return Bun.gzipSync(text);
}

const key = (venue: Venue, name: string) => `${venue} ${name}`;

/** Topic subscriptions of all connections and gzip-framed delivery. */
export class Fanout {
  private readonly index = new TopicIndex<Conn>();

  subscribe(conn: Conn, topic: Topic): void {
    if (conn.session.topics.has(topic.name)) return;
    conn.session.topics.set(topic.name, topic);
    this.index.add(key(topic.venue, topic.name), conn);
  }

  unsubscribe(conn: Conn, name: string): void {
    if (!conn.session.topics.delete(name)) return;
    this.index.remove(key(conn.session.venue, name), conn);
  }

  removeConnection(conn: Conn): void {
    for (const name of conn.session.topics.keys()) this.index.remove(key(conn.session.venue, name), conn);
  }

  has(venue: Venue, name: string): boolean {
    return this.index.has(key(venue, name));
  }

  /** Builds the payloads only when someone listens; each becomes one gzip frame. */
  publish(venue: Venue, name: string, build: () => string[]): void {
    const subs = this.index.get(key(venue, name));
    if (!subs) return;
    const frames = build().map(gzip);
    if (frames.length === 0) return;
    for (const conn of subs) conn.sendDataMany(frames);
  }
}
