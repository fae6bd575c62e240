import { type Bbo, parseMarket, type Status, type Ticker, type Trade } from "@tickerplant/core";

export type VenueFlag = "disconnected" | "gap" | "stale";

/** What the analyzer knows about one exchange's market beyond its trade windows. */
export interface VenueState {
  exchange: string;
  market: string;
  /** Base asset of a spot market quoted in a dollar currency (composite candidate), else undefined. */
  asset: string | undefined;
  bbo: Bbo | undefined;
  ticker: Ticker | undefined;
  /** Newest ingestor receive time of any data message of this market. */
  lastSeen: number;
  /** A status event that makes the venue untrustworthy until data received after it arrives. */
  flag: { reason: VenueFlag; detail: string; ts: number } | undefined;
  simulated: boolean;
}

const FLAGGING: ReadonlySet<string> = new Set(["disconnected", "gap", "stale"]);

/**
 * Per-market venue state from bbo, ticker, trade and status messages. A `disconnected`, `gap` or
 * `stale` status flags the market (or, for `*`, every market of the exchange) until a data message
 * the ingestor received after the event clears it; `connected`/`resync` clear it too.
 */
export class Venues {
  private readonly byKey = new Map<string, VenueState>();
  /** Connection-wide flags, applied to markets seen later too. */
  private readonly exchangeFlags = new Map<string, VenueState["flag"]>();

  constructor(private readonly dollarQuotes: ReadonlySet<string>) {}

  get(exchange: string, market: string): VenueState | undefined {
    return this.byKey.get(`${exchange}:${market}`);
  }

  all(): Iterable<VenueState> {
    return this.byKey.values();
  }

  /** Venues of a composite asset. */
  ofAsset(asset: string): VenueState[] {
    return [...this.byKey.values()].filter((v) => v.asset === asset);
  }

  assets(): string[] {
    const out = new Set<string>();
    for (const v of this.byKey.values()) if (v.asset) out.add(v.asset);
    return [...out].sort();
  }

  private state(exchange: string, market: string): VenueState {
    const key = `${exchange}:${market}`;
    let v = this.byKey.get(key);
    if (!v) {
      let asset: string | undefined;
      try {
        const m = parseMarket(market);
        if (m.kind === "spot" && this.dollarQuotes.has(m.quote)) asset = m.base;
      } catch {
        asset = undefined;
      }
      v = {
        exchange,
        market,
        asset,
        bbo: undefined,
        ticker: undefined,
        lastSeen: Number.NEGATIVE_INFINITY,
        flag: this.exchangeFlags.get(exchange),
        simulated: false,
      };
      this.byKey.set(key, v);
    }
    return v;
  }

  private seen(v: VenueState, recvTs: number, simulated: boolean | undefined): void {
    if (recvTs > v.lastSeen) v.lastSeen = recvTs;
    if (simulated) v.simulated = true;
    if (v.flag && recvTs > v.flag.ts) v.flag = undefined;
  }

  onTrade(t: Trade): void {
    this.seen(this.state(t.exchange, t.market), t.recvTs, t.simulated);
  }

  onBbo(b: Bbo): void {
    const v = this.state(b.exchange, b.market);
    if (!v.bbo || b.recvTs >= v.bbo.recvTs) v.bbo = b;
    this.seen(v, b.recvTs, b.simulated);
  }

  onTicker(t: Ticker): void {
    const v = this.state(t.exchange, t.market);
    if (!v.ticker || t.recvTs >= v.ticker.recvTs) v.ticker = t;
    this.seen(v, t.recvTs, t.simulated);
  }

  onStatus(s: Status): void {
    const flag = FLAGGING.has(s.event)
      ? { reason: s.event as VenueFlag, detail: s.detail, ts: s.recvTs }
      : undefined;
    if (s.market === "*") {
      if (flag) this.exchangeFlags.set(s.exchange, flag);
      else this.exchangeFlags.delete(s.exchange);
      for (const v of this.byKey.values()) if (v.exchange === s.exchange) this.applyFlag(v, flag, s.recvTs);
      return;
    }
    this.applyFlag(this.state(s.exchange, s.market), flag, s.recvTs);
  }

  private applyFlag(v: VenueState, flag: VenueState["flag"], ts: number): void {
    if (flag) {
      // Data received after the event already proves the venue recovered.
      if (v.lastSeen <= flag.ts) v.flag = flag;
    } else if (!v.flag || v.flag.ts <= ts) v.flag = undefined;
  }
}
