/**
 * Messages per second per exchange, from running totals sampled at each presence beat (the rate
 * over the time since the previous sample). A total that went down (feeds replaced by a
 * reconciliation) restarts the sample: no rate is claimed for that interval.
 */
export class MessageRate {
  private readonly last = new Map<string, { at: number; total: number }>();

  sample(exchange: string, total: number, now: number): number | null {
    const prev = this.last.get(exchange);
    this.last.set(exchange, { at: now, total });
    if (prev === undefined || now <= prev.at || total < prev.total) return null;
    return ((total - prev.total) * 1000) / (now - prev.at);
  }
}
