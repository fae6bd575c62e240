/**
 * An in-process sliding-window limiter: at most `count` takes per `windowMs`. `take` waits for room.
 */
export class RateWindow {
  private stamps: number[] = [];

  constructor(
    private readonly count: number,
    private readonly windowMs: number,
  ) {}

  async take(n = 1): Promise<void> {
    for (;;) {
      const now = Date.now();
      while (this.stamps.length > 0 && this.stamps[0]! <= now - this.windowMs) this.stamps.shift();
      if (this.stamps.length + n <= this.count) {
        for (let i = 0; i < n; i++) this.stamps.push(now);
        return;
      }
      await Bun.sleep(this.stamps[0]! + this.windowMs - now + 1);
    }
  }
}
