import type { MarketGenerator } from "./generator.ts";

/**
 * Drives a generator in real time: every tick, each market gets the trades that are due at its
 * share of `tradesPerSecond` (fractions carry over), all stamped with the tick's time; then
 * candles that ended are closed. At 100k trades/s and 10 ms ticks that is ~1000 trades per tick.
 */
export class TradePump {
  private timer: ReturnType<typeof setInterval> | undefined;
  private last = 0;
  private readonly carry = new Map<string, number>();
  private paused = false;

  constructor(
    private readonly generator: MarketGenerator,
    private rate: number,
    private readonly tickMs: number,
  ) {
    for (const m of generator.markets) this.carry.set(m, 0.999);
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get tradesPerSecond(): number {
    return this.rate;
  }

  start(): void {
    if (this.timer) return;
    this.last = Date.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  setRate(tradesPerSecond: number): void {
    this.rate = Math.max(0, tradesPerSecond);
  }

  private tick(): void {
    const now = Date.now();
    // After a long event-loop stall, catch up at most one second.
    const elapsed = Math.min(Math.max(0, now - this.last), 1000);
    this.last = now;
    if (!this.paused && this.rate > 0) {
      const perMarket = this.rate / this.generator.markets.length;
      for (const m of this.generator.markets) {
        const due = (this.carry.get(m) ?? 0) + (elapsed * perMarket) / 1000;
        const n = Math.floor(due);
        this.carry.set(m, due - n);
        if (n > 0) this.generator.generate(m, n, now);
      }
    }
    this.generator.tick(now);
  }
}
