/**
 * A WebSocket client of the gateway that never accepts a hole: it subscribes to trade channels,
 * remembers the last stream sequence it got on each, and after any close reconnects and subscribes
 * to each again with `since` = that channel's sequence + 1. (Sequences increase within a channel;
 * channels interleave in any order, so one `since` for all of them would skip what a lagging
 * channel had not delivered — 9,022 trades after four NATS restarts in a row.) What it received is
 * checked against the ground truth: every trade once, in order.
 */
/** What one channel key (`<exchange>:<market>`) delivered; simulator trade ids are 1, 2, 3, … */
export class ReceivedTrades {
  first = 0;
  last = 0;
  lastTs = 0;
  count = 0;
  duplicates = 0;
  outOfOrder = 0;
  /** Trades a heal fetched again (marked `backfilled`) that filled a hole: late by design, not out of order. */
  healed = 0;
  /** Ids that came twice or out of order (the first 1000 of each), to place them in time. */
  readonly duplicateIds: number[] = [];
  readonly disorderIds: number[] = [];
  private seen = new Uint8Array(1024);

  add(id: number, ts: number, backfilled = false): void {
    if (this.count === 0) this.first = id;
    this.count++;
    if (id >= this.seen.length) {
      const grown = new Uint8Array(Math.max(id + 1, this.seen.length * 2));
      grown.set(this.seen);
      this.seen = grown;
    }
    const twice = this.seen[id] === 1;
    if (twice) {
      this.duplicates++;
      if (this.duplicateIds.length < 1000) this.duplicateIds.push(id);
    } else this.seen[id] = 1;
    if (id < this.last) {
      // Only a trade fetched again by a heal may come after later ones: it fills a hole.
      if (backfilled) {
        if (!twice) this.healed++;
      } else {
        this.outOfOrder++;
        if (this.disorderIds.length < 1000) this.disorderIds.push(id);
      }
    } else {
      this.last = id;
      this.lastTs = ts;
    }
  }

  has(id: number): boolean {
    return id < this.seen.length && this.seen[id] === 1;
  }
}

/** Whether a delivered channel (`trade:binance:BTC-USDT`) falls under a subscribed one (`trade:binance:*`). */
function covers(subscribed: string, channel: string): boolean {
  const a = subscribed.split(":");
  const b = channel.split(":");
  return a.length === b.length && a.every((part, i) => part === "*" || part === b[i]);
}

export class ResumingClient {
  private ws: WebSocket | undefined;
  private stopped = false;
  /** The last stream sequence received per subscribed channel. */
  readonly lastSeq = new Map<string, number>();
  reconnects = 0;
  errors: string[] = [];
  /** Per `<exchange>:<market>`. */
  readonly trades = new Map<string, ReceivedTrades>();
  lastMessageAt = 0;

  constructor(
    private readonly url: string,
    private readonly channels: string[],
  ) {}

  start(): void {
    this.open();
  }

  private open(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      for (const [i, channel] of this.channels.entries()) {
        const last = this.lastSeq.get(channel) ?? 0;
        const since = last > 0 ? { since: last + 1 } : {};
        ws.send(JSON.stringify({ op: "subscribe", channels: [channel], id: i + 1, ...since }));
      }
    };
    ws.onmessage = (ev) => {
      const m = JSON.parse(String(ev.data)) as {
        type?: string;
        channel?: string;
        seq?: number;
        message?: string;
        data?: { exchange: string; market: string; id: string; ts: number; backfilled?: boolean };
      };
      this.lastMessageAt = Date.now();
      if (m.type === "error") {
        if (this.errors.length < 50) this.errors.push(String(m.message));
        return;
      }
      if (!m.channel?.startsWith("trade:") || !m.data || typeof m.seq !== "number") return;
      const subscribed = this.channels.find((c) => covers(c, m.channel!));
      if (subscribed !== undefined && m.seq > (this.lastSeq.get(subscribed) ?? 0))
        this.lastSeq.set(subscribed, m.seq);
      const key = `${m.data.exchange}:${m.data.market}`;
      let got = this.trades.get(key);
      if (!got) {
        got = new ReceivedTrades();
        this.trades.set(key, got);
      }
      got.add(Number(m.data.id), m.data.ts, m.data.backfilled === true);
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.stopped) return;
      this.reconnects++;
      setTimeout(() => this.open(), 250);
    };
    ws.onerror = () => {};
  }

  count(): number {
    let n = 0;
    for (const t of this.trades.values()) n += t.count;
    return n;
  }

  /** A trade with ts ≥ `after` arrived for every key in `keys`. */
  hasFreshTrades(keys: string[], after: number): boolean {
    return keys.every((k) => (this.trades.get(k)?.lastTs ?? 0) >= after);
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close();
  }
}
