import type { ServerWebSocket } from "bun";
import type { ConnectionRules } from "./connections.ts";
import type { Faults } from "./faults.ts";
import type { SimStats } from "./stats.ts";

/** What the HTTP upgrade attaches to a Bun socket. */
export interface SocketData {
  path: string;
  session: unknown;
  /** Rules that override the profile's for this connection (see UpgradeDecision). */
  rules?: Partial<ConnectionRules>;
  conn?: SimConnection;
}

/** Why the simulator closed a connection. */
export type CloseCause = "lifetime" | "pongTimeout" | "rateLimit" | "drop" | "backpressure" | "shutdown";

/**
 * One client WebSocket as the profiles see it. Data frames respect a stall; control replies and
 * pings only a silent one. A frame the socket refuses (send buffer full) closes the connection, so nothing is ever lost
 * silently.
 */
export class SimConnection<S = unknown> {
  readonly openedAt = Date.now();
  framesSent = 0;
  pingsSent = 0;
  pongsReceived = 0;
  /** Time of the oldest ping not yet answered, or null. */
  awaitingPongSince: number | null = null;
  lastPongAt: number | null = null;
  closedBy: CloseCause | null = null;
  /** Timestamps of recent incoming messages (rate limit). */
  readonly incoming: number[] = [];
  readonly timers: Array<ReturnType<typeof setTimeout>> = [];
  pongTimer: ReturnType<typeof setTimeout> | undefined;
  open = true;

  constructor(
    readonly id: number,
    private readonly ws: ServerWebSocket<SocketData>,
    private readonly stats: SimStats,
    private readonly faults: Faults,
  ) {}

  get path(): string {
    return this.ws.data.path;
  }

  get session(): S {
    return this.ws.data.session as S;
  }

  get remoteAddress(): string {
    return this.ws.remoteAddress;
  }

  /** A market-data frame; suppressed while the simulator stalls. */
  sendData(frame: string | Uint8Array): boolean {
    if (this.faults.isStalled()) {
      this.stats.framesSuppressed++;
      return false;
    }
    return this.write(frame);
  }

  /** Several market-data frames, written in one go. */
  sendDataMany(frames: readonly (string | Uint8Array)[]): void {
    if (frames.length === 0) return;
    if (this.faults.isStalled()) {
      this.stats.framesSuppressed += frames.length;
      return;
    }
    if (frames.length === 1) {
      this.write(frames[0]!);
      return;
    }
    this.ws.cork(() => {
      for (const f of frames) if (!this.write(f)) break;
    });
  }

  /** A reply to the client (ack, error, property); withheld only by a silent stall. */
  sendControl(frame: string | Uint8Array): boolean {
    if (this.faults.isSilent()) {
      this.stats.framesSuppressed++;
      return false;
    }
    return this.write(frame);
  }

  /** Raw write that ignores stalls (malformed frames, shutdown notices). */
  write(frame: string | Uint8Array): boolean {
    if (!this.open) return false;
    const size = typeof frame === "string" ? frame.length : frame.byteLength;
    // send() returns bytes written, -1 when queued under backpressure, 0 when dropped.
    const status = this.ws.send(frame);
    if (status === 0 && size > 0) {
      this.stats.framesDropped++;
      this.stats.closedBy.backpressure++;
      this.close("backpressure", 1013, "send buffer full");
      return false;
    }
    this.framesSent++;
    this.stats.framesSent++;
    this.stats.bytesSent += size;
    return true;
  }

  ping(payload: string): void {
    if (!this.open || this.faults.isSilent()) return;
    this.ws.ping(payload);
    this.pingsSent++;
    this.stats.pingsSent++;
    if (this.awaitingPongSince === null) this.awaitingPongSince = Date.now();
  }

  /** An application-level heartbeat (BingX's `Ping`): a frame counted and timed like a ping. */
  heartbeat(frame: string | Uint8Array): void {
    if (!this.open || this.faults.isSilent()) return;
    this.write(frame);
    this.pingsSent++;
    this.stats.pingsSent++;
    if (this.awaitingPongSince === null) this.awaitingPongSince = Date.now();
  }

  /** The client answered an application-level heartbeat. */
  heartbeatAnswered(): void {
    this.pongsReceived++;
    this.stats.pongsReceived++;
    this.lastPongAt = Date.now();
    this.awaitingPongSince = null;
  }

  /** Closes with a close frame. */
  close(cause: CloseCause, code = 1000, reason = ""): void {
    if (!this.open) return;
    this.closedBy = cause;
    this.open = false;
    this.ws.close(code, reason);
  }

  /** Cuts the TCP connection without a close frame (client sees 1006). */
  terminate(cause: CloseCause): void {
    if (!this.open) return;
    this.closedBy = cause;
    this.open = false;
    this.ws.terminate();
  }
}
