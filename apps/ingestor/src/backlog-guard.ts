import type { NormalizedMessage } from "@tickerplant/core";

export interface BacklogGuardOptions {
  /** Messages accepted by the publisher and not yet acknowledged by JetStream. */
  backlog(): number;
  /** Above this backlog, market data is dropped (status events never are). */
  maxBacklog: number;
  /** Called once per dropped message. */
  onDrop(msg: NormalizedMessage): void;
  /** Reports what a market lost, once the backlog has drained to half the bound. */
  onGap(market: string, window: { from: number; to: number; dropped: number }): void;
  checkEveryMs?: number;
}

/**
 * Keeps the publish backlog bounded. When JetStream acknowledges more slowly than the exchange
 * sends (an overloaded host, a slow or restarting NATS), the backlog would otherwise grow without
 * limit until the process dies and loses all of it silently. Beyond `maxBacklog` a market's data is
 * dropped and counted, and once the backlog has drained each affected market gets one `gap` event
 * spanning the exchange times of what it lost — so nothing unconfirmed is lost silently.
 */
export class BacklogGuard {
  private readonly lost = new Map<string, { from: number; to: number; dropped: number }>();
  private timer: Timer | undefined;

  constructor(private readonly o: BacklogGuardOptions) {}

  start(): void {
    this.timer = setInterval(() => this.report(), this.o.checkEveryMs ?? 500);
  }

  /** Whether `msg` may be published; a refused one is recorded against its market. */
  admit(msg: NormalizedMessage): boolean {
    if (msg.type === "status") return true;
    if (this.o.backlog() < this.o.maxBacklog) return true;
    const w = this.lost.get(msg.market);
    if (w) {
      w.from = Math.min(w.from, msg.ts);
      w.to = Math.max(w.to, msg.ts);
      w.dropped++;
    } else this.lost.set(msg.market, { from: msg.ts, to: msg.ts, dropped: 1 });
    this.o.onDrop(msg);
    return false;
  }

  /** Markets with data dropped and not yet reported. */
  get pendingGaps(): number {
    return this.lost.size;
  }

  report(): void {
    if (this.lost.size === 0 || this.o.backlog() > this.o.maxBacklog / 2) return;
    const lost = [...this.lost];
    this.lost.clear();
    for (const [market, window] of lost) this.o.onGap(market, window);
  }

  /** Reports what is still pending, whatever the backlog (at shutdown). */
  stop(): void {
    clearInterval(this.timer);
    const lost = [...this.lost];
    this.lost.clear();
    for (const [market, window] of lost) this.o.onGap(market, window);
  }
}
