import type { SimConnection } from "../../server/connection.ts";
import { TopicIndex } from "../../server/topic-index.ts";
import { argChars, type BybitSession } from "./session.ts";
import type { Category } from "./symbols.ts";
import type { SimTopic } from "./topics.ts";

type Conn = SimConnection<BybitSession>;

/** Topic subscriptions of all connections; spot and linear topics are separate namespaces. */
export class Fanout {
  private readonly index = new TopicIndex<Conn>();

  private static key(category: Category, name: string): string {
    return `${category}|${name}`;
  }

  add(conn: Conn, topic: SimTopic): void {
    const s = conn.session;
    if (s.topics.has(topic.name)) return;
    s.topics.set(topic.name, topic);
    s.argsChars += argChars(topic.name);
    this.index.add(Fanout.key(s.category, topic.name), conn);
  }

  remove(conn: Conn, name: string): void {
    const s = conn.session;
    if (!s.topics.delete(name)) return;
    s.argsChars -= argChars(name);
    this.index.remove(Fanout.key(s.category, name), conn);
  }

  removeConnection(conn: Conn): void {
    const s = conn.session;
    for (const name of s.topics.keys()) this.index.remove(Fanout.key(s.category, name), conn);
  }

  has(category: Category, name: string): boolean {
    return this.index.has(Fanout.key(category, name));
  }

  /** Builds the frames only when someone listens, then sends them to every listener. */
  publishLazy(category: Category, name: string, build: () => string[]): void {
    const subs = this.index.get(Fanout.key(category, name));
    if (!subs) return;
    const frames = build();
    if (frames.length === 0) return;
    for (const conn of subs) conn.sendDataMany(frames);
  }
}
