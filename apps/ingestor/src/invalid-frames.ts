/** Invalid frames counted by reason over one report window. */
export interface InvalidFrameWindow {
  from: number;
  to: number;
  counts: Record<string, number>;
  total: number;
}

/**
 * Turns invalid exchange frames into status reports without a report per frame: the first bad
 * frame after a quiet window is reported at once, later ones are counted and reported together at
 * the end of each `windowMs` that had any — at most one report per window.
 */
export class InvalidFrameReports {
  private counts = new Map<string, number>();
  private from = 0;
  private timer: Timer | undefined;

  constructor(
    private readonly o: {
      windowMs: number;
      report: (w: InvalidFrameWindow) => void;
      now?: () => number;
    },
  ) {}

  add(reason: string): void {
    const now = this.o.now?.() ?? Date.now();
    if (this.counts.size === 0) this.from = now;
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    if (this.timer === undefined) {
      this.flush(now);
      this.arm();
    }
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.counts.size === 0) return; // a quiet window: the next bad frame is reported at once
      this.flush(this.o.now?.() ?? Date.now());
      this.arm();
    }, this.o.windowMs);
  }

  private flush(to: number): void {
    const counts = Object.fromEntries(this.counts);
    const total = Object.values(counts).reduce((n, c) => n + c, 0);
    this.counts = new Map();
    this.o.report({ from: this.from, to, counts, total });
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.counts.size > 0) this.flush(this.o.now?.() ?? Date.now());
  }
}
