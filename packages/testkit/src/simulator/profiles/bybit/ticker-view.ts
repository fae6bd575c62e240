/**
 * One `tickers.<S>` topic: the fields last published. Linear pushes carry only the fields that
 * changed since the previous push (plus `symbol`; a best bid/ask price travels with its size), so
 * a subscriber's state is its snapshot merged with every delta after it.
 */
export class TickerView {
  private published: Record<string, string> | undefined;

  /** The changed fields (null when nothing changed); the view now holds `fields`. */
  refresh(fields: Record<string, string>): Record<string, string> | null {
    const prev = this.published;
    this.published = fields;
    if (prev === undefined) return null;
    const delta: Record<string, string> = {};
    let changed = false;
    for (const [k, v] of Object.entries(fields)) {
      if (prev[k] !== v) {
        delta[k] = v;
        changed = true;
      }
    }
    if (!changed) return null;
    for (const [price, size] of [
      ["bid1Price", "bid1Size"],
      ["ask1Price", "ask1Size"],
    ] as const) {
      if (delta[price] !== undefined || delta[size] !== undefined) {
        delta[price] = fields[price]!;
        delta[size] = fields[size]!;
      }
    }
    return { symbol: fields.symbol!, ...delta };
  }

  snapshot(): Record<string, string> | undefined {
    return this.published;
  }
}
