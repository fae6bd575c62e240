import type { ServerWebSocket } from "bun";
import { SimConnection, type SocketData } from "./connection.ts";
import type { Faults } from "./faults.ts";
import type { SimStats } from "./stats.ts";

export interface ConnectionRules {
  /** Server ping frame every this many ms; 0 disables. */
  pingIntervalMs: number;
  /** Close a connection whose ping stays unanswered this long. */
  pongTimeoutMs: number;
  /** Close connections older than this; 0 disables. */
  maxConnectionAgeMs: number;
  /** Incoming messages (text, ping, pong) per rolling second; more closes the connection. 0 disables. */
  maxIncomingPerSecond: number;
}

export interface ConnectionHooks {
  /** Called right before a connection is closed for its age (e.g. to send a shutdown notice). */
  beforeLifetimeClose?(conn: SimConnection): void;
  /** Sends the keepalive probe; without it a WebSocket ping frame (application-level heartbeats). */
  sendHeartbeat?(conn: SimConnection): void;
}

/**
 * Connection bookkeeping shared by all exchange profiles: ids, keepalive (server pings, pong
 * deadline), maximum connection age, incoming message rate, and closing everything on command.
 */
export class ConnectionManager {
  private readonly conns = new Map<number, SimConnection>();
  /** Per-connection rules where the upgrade overrode the profile's. */
  private readonly overrides = new Map<number, ConnectionRules>();
  private nextId = 1;

  constructor(
    private readonly rules: ConnectionRules,
    private readonly stats: SimStats,
    private readonly faults: Faults,
    private readonly hooks: ConnectionHooks = {},
  ) {}

  get size(): number {
    return this.conns.size;
  }

  all(): IterableIterator<SimConnection> {
    return this.conns.values();
  }

  opened(ws: ServerWebSocket<SocketData>): SimConnection {
    const conn = new SimConnection(this.nextId++, ws, this.stats, this.faults);
    ws.data.conn = conn;
    this.conns.set(conn.id, conn);
    this.stats.connectionsOpened++;
    if (ws.data.rules) this.overrides.set(conn.id, { ...this.rules, ...ws.data.rules });
    const { pingIntervalMs, maxConnectionAgeMs } = this.rulesOf(conn);
    if (pingIntervalMs > 0) {
      conn.timers.push(setInterval(() => this.sendPing(conn), pingIntervalMs));
    }
    if (maxConnectionAgeMs > 0) {
      conn.timers.push(
        setTimeout(() => {
          if (!conn.open) return;
          this.hooks.beforeLifetimeClose?.(conn);
          this.stats.closedBy.lifetime++;
          conn.close("lifetime", 1000, "");
        }, maxConnectionAgeMs),
      );
    }
    return conn;
  }

  closed(conn: SimConnection): void {
    for (const t of conn.timers) clearTimeout(t);
    conn.timers.length = 0;
    clearTimeout(conn.pongTimer);
    if (conn.open) {
      conn.open = false;
      this.stats.closedBy.client++;
    }
    if (this.conns.delete(conn.id)) this.stats.connectionsClosed++;
    this.overrides.delete(conn.id);
  }

  private rulesOf(conn: SimConnection): ConnectionRules {
    return this.overrides.get(conn.id) ?? this.rules;
  }

  /** Counts an incoming message; false (and the connection is closed) when over the rate limit. */
  incoming(conn: SimConnection, now: number = Date.now()): boolean {
    const limit = this.rulesOf(conn).maxIncomingPerSecond;
    if (limit <= 0 || !conn.open) return conn.open;
    const q = conn.incoming;
    q.push(now);
    while (q.length > 0 && q[0]! <= now - 1000) q.shift();
    if (q.length > limit) {
      this.stats.closedBy.rateLimit++;
      conn.close("rateLimit", 1008, "too many messages");
      return false;
    }
    return true;
  }

  pong(conn: SimConnection): void {
    conn.pongsReceived++;
    this.stats.pongsReceived++;
    conn.lastPongAt = Date.now();
    conn.awaitingPongSince = null;
  }

  /** Cuts every connection at once, without close frames. */
  dropAll(): number {
    let n = 0;
    for (const c of [...this.conns.values()]) {
      if (!c.open) continue;
      this.stats.closedBy.drop++;
      c.terminate("drop");
      n++;
    }
    return n;
  }

  closeAll(code = 1001, reason = "simulator stopping"): void {
    for (const c of [...this.conns.values()]) c.close("shutdown", code, reason);
  }

  private sendPing(conn: SimConnection): void {
    if (!conn.open) return;
    const first = conn.awaitingPongSince === null;
    if (this.hooks.sendHeartbeat) this.hooks.sendHeartbeat(conn);
    else conn.ping(String(Date.now()));
    if (first) {
      const since = conn.awaitingPongSince;
      clearTimeout(conn.pongTimer);
      conn.pongTimer = setTimeout(() => {
        if (conn.open && conn.awaitingPongSince !== null && conn.awaitingPongSince === since) {
          this.stats.closedBy.pongTimeout++;
          conn.close("pongTimeout", 1008, "pong timeout");
        }
      }, this.rulesOf(conn).pongTimeoutMs);
    }
  }
}
