/**
 * At most one value per key per interval: values offered between two flushes replace each other
 * (the newest wins) and the flush hands each key's newest value on. That bounds the rate per
 * market whatever the exchange sends, and never delays a value by more than one interval.
 */
export class Conflator<T> {
  private pending = new Map<string, T>();
  private timer: Timer | undefined;
  replaced = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (value: T) => void,
  ) {}

  offer(key: string, value: T): void {
    if (this.pending.has(key)) this.replaced++;
    this.pending.set(key, value);
  }

  start(): void {
    this.timer = setInterval(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    for (const v of batch.values()) this.emit(v);
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
