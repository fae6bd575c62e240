export type RateVerdict = "ok" | "limited" | "flood";

/**
 * Per-client message budget: at most `perSecond` messages in any 1 s window are handled; a
 * client that keeps sending at `floodFactor`× that rate for `floodWindowMs` is flooding and is
 * closed. Every received message counts, rejected ones included.
 */
export class MessageRateLimit {
  private readonly stamps: number[] = []; // arrival times within the flood window
  private readonly floodCount: number;

  constructor(
    private readonly perSecond: number,
    floodFactor = 5,
    private readonly floodWindowMs = 2000,
  ) {
    this.floodCount = Math.ceil(perSecond * floodFactor * (floodWindowMs / 1000));
  }

  take(now = performance.now()): RateVerdict {
    while (this.stamps.length > 0 && this.stamps[0]! <= now - this.floodWindowMs) this.stamps.shift();
    this.stamps.push(now);
    if (this.stamps.length > this.floodCount) return "flood";
    let lastSecond = 0;
    for (let i = this.stamps.length - 1; i >= 0 && this.stamps[i]! > now - 1000; i--) lastSecond++;
    return lastSecond > this.perSecond ? "limited" : "ok";
  }
}
