import type { Book } from "../schemas/messages.ts";
import { OrderBook } from "./order-book.ts";

/**
 * How one exchange keeps a local book in sync: data plus pure predicates, exported by the exchange's
 * adapter folder. The state machine that uses them (BookSync) is written once.
 */
export interface BookSyncRules {
  /**
   * "rest": deltas are buffered until a REST depth snapshot arrives (Binance). "stream": the exchange
   * sends the snapshot on the stream itself (Bybit, OKX, Kraken, WhiteBIT, Coinbase, BingX); a new
   * stream snapshot always replaces the book.
   */
  snapshotFrom: "rest" | "stream";
  /**
   * With a REST snapshot at sequence `snapshotSeq`: a buffered delta is already in the snapshot
   * ("drop"), bridges it ("apply"), or starts after it, so the snapshot is too old ("refetch").
   */
  bridge?(snapshotSeq: number, delta: Book): "drop" | "apply" | "refetch";
  /** Does `delta` directly follow the last applied message (sequence `lastSeq`)? */
  follows(lastSeq: number, delta: Book): boolean;
  /** An old or repeated delta (at or before `lastSeq`): ignored, not a gap. */
  stale?(lastSeq: number, delta: Book): boolean;
  /** Keep only this many levels per side after each update (Kraken: the subscribed depth). */
  depth?: number;
  /** Checks the book after a message (Kraken's CRC32); false means it is wrong. */
  verify?(book: OrderBook, msg: Book): boolean;
  /**
   * The exchange re-sends the full book on a live stream (WhiteBIT: after 10 s without a change):
   * such a snapshot is compared with the book instead of blindly replacing it. Equal: nothing to
   * publish. Different: the book had drifted, which is reported as a "reset" break before the
   * snapshot replaces it.
   */
  compareSnapshots?: boolean;
}

export type BookBreakReason = "gap" | "checksum" | "crossed" | "reset" | "buffer_overflow";

export type SyncOutput =
  /** Publish: the whole book after (re)sync, as a snapshot message. */
  | { kind: "snapshot"; book: Book }
  /** Publish: an applied delta; `prevSeq` is the seq of the previously published message. */
  | { kind: "delta"; book: Book }
  /** Fetch a REST snapshot (rest) or resubscribe the market (stream). */
  | { kind: "need-snapshot" }
  /** The book broke; it was dropped and a resync started. */
  | { kind: "break"; reason: BookBreakReason; detail: string; fromSeq?: number; toSeq?: number };

/** Most deltas held while waiting for a snapshot. */
const MAX_BUFFER = 20_000;

/**
 * Keeps one market's book in sync by its exchange's rules: never applies a delta before its
 * snapshot, detects gaps, checksum failures and crossed books, and on any break drops only this
 * market's book and asks for a new snapshot.
 */
export class BookSync {
  readonly book: OrderBook;
  private state: "waiting" | "bridging" | "synced" = "waiting";
  private buffer: Book[] = [];
  private lastSeq = 0;
  private lastPublishedSeq: number | null = null;
  private requested = false;
  /** Bridging after a REST snapshot that was already published as the book. */
  private bridgePublished = false;

  constructor(
    private readonly rules: BookSyncRules,
    private readonly snapshotDepth = 0,
  ) {
    this.book = new OrderBook({ depth: rules.depth, keepExact: rules.verify !== undefined });
  }

  get synced(): boolean {
    return this.state === "synced";
  }

  get seq(): number {
    return this.lastSeq;
  }

  /** A message from the stream (snapshot or delta). */
  onMessage(msg: Book): SyncOutput[] {
    if (msg.kind === "snapshot") {
      return this.rules.snapshotFrom === "stream" ? this.takeSnapshot(msg) : this.onRestSnapshot(msg);
    }
    if (this.state === "synced") return this.applyDelta(msg);
    if (this.state === "bridging") return this.bridgeDelta(msg);
    if (this.rules.snapshotFrom === "rest") {
      this.buffer.push(msg);
      if (this.buffer.length > MAX_BUFFER) this.buffer.shift();
    }
    return this.request();
  }

  /** A REST depth snapshot for a "rest" exchange. */
  onRestSnapshot(snapshot: Book): SyncOutput[] {
    this.requested = false;
    const bridge = this.rules.bridge;
    if (!bridge) throw new Error("a REST-snapshot exchange needs a bridge rule");
    const pending = this.buffer.filter((d) => bridge(snapshot.seq, d) !== "drop");
    if (pending.length > 0 && bridge(snapshot.seq, pending[0]!) === "refetch") {
      // The snapshot is older than the first delta we hold: it cannot be bridged.
      this.buffer = pending;
      return this.request();
    }
    this.buffer = [];
    this.book.reset(snapshot);
    this.lastSeq = snapshot.seq;
    this.state = "bridging";
    if (pending.length === 0) {
      // The book is the snapshot; the next delta must still span it (bridging).
      const checked = this.check(snapshot);
      if (checked) return checked;
      this.bridgePublished = true;
      return [{ kind: "snapshot", book: this.snapshotMessage(snapshot) }];
    }
    this.bridgePublished = false;
    const out: SyncOutput[] = [];
    for (const [i, d] of pending.entries()) {
      out.push(...this.onMessage(d));
      if ((this.state as string) === "waiting") {
        // Broke while catching up: keep the rest for the next snapshot.
        this.buffer.push(...pending.slice(i + 1));
        return out;
      }
    }
    return out;
  }

  private bridgeDelta(d: Book): SyncOutput[] {
    const verdict = this.rules.bridge!(this.lastSeq, d);
    if (verdict === "drop") return [];
    if (verdict === "refetch") {
      return this.fail("gap", `first delta ${d.prevSeq}..${d.seq} does not span snapshot ${this.lastSeq}`, d);
    }
    this.book.apply(d);
    const prev = this.lastPublishedSeq;
    this.lastSeq = d.seq;
    const checked = this.check(d);
    if (checked) return checked;
    this.state = "synced";
    if (!this.bridgePublished) return [{ kind: "snapshot", book: this.snapshotMessage(d) }];
    this.lastPublishedSeq = d.seq;
    return [{ kind: "delta", book: { ...d, prevSeq: prev } }];
  }

  private takeSnapshot(s: Book): SyncOutput[] {
    const drift = this.rules.compareSnapshots && this.state === "synced" ? this.differs(s) : undefined;
    const fromSeq = this.lastSeq;
    this.requested = false;
    this.buffer = [];
    this.lastSeq = s.seq;
    if (drift === null) return []; // the re-sent book is the one we hold
    this.book.reset(s);
    const checked = this.check(s);
    if (checked) return checked;
    this.state = "synced";
    const out: SyncOutput[] = [{ kind: "snapshot", book: this.snapshotMessage(s) }];
    if (drift) out.unshift({ kind: "break", reason: "reset", detail: drift, fromSeq, toSeq: s.seq });
    return out;
  }

  /**
   * Where a re-sent snapshot differs from the book, or null when it is the same. Only the price
   * range the snapshot covers is compared: levels beyond its worst one may lie outside its depth.
   */
  private differs(s: Book): string | null {
    const fresh = new OrderBook({ depth: this.rules.depth });
    fresh.reset(s);
    for (const side of ["bids", "asks"] as const) {
      const want = fresh[side].top(Number.MAX_SAFE_INTEGER);
      const worst = want[want.length - 1]?.[0];
      const covered = (p: number) => worst !== undefined && (side === "bids" ? p >= worst : p <= worst);
      const have = this.book[side].top(want.length + 1).filter(([p]) => covered(p));
      for (let i = 0; i < Math.max(want.length, have.length); i++) {
        const w = want[i];
        const h = have[i];
        if (w?.[0] === h?.[0] && w?.[1] === h?.[1]) continue;
        const at = `${side} level ${i + 1}: ${JSON.stringify(w ?? null)}, the book had ${JSON.stringify(h ?? null)}`;
        return `snapshot ${s.seq} differs from the book at ${this.lastSeq}, ${at}`;
      }
    }
    return null;
  }

  private applyDelta(d: Book): SyncOutput[] {
    if (this.rules.stale?.(this.lastSeq, d)) return [];
    if (!this.rules.follows(this.lastSeq, d)) {
      return this.fail("gap", `expected the update after ${this.lastSeq}, got ${d.prevSeq}..${d.seq}`, d);
    }
    this.book.apply(d);
    const prev = this.lastPublishedSeq;
    this.lastSeq = d.seq;
    const checked = this.check(d);
    if (checked) return checked;
    this.lastPublishedSeq = d.seq;
    return [{ kind: "delta", book: { ...d, prevSeq: prev } }];
  }

  /** After applying: checksum and crossed-book guards. */
  private check(msg: Book): SyncOutput[] | undefined {
    if (this.rules.verify && !this.rules.verify(this.book, msg)) {
      return this.fail("checksum", `checksum mismatch after ${msg.kind} ${msg.seq}`, msg);
    }
    if (this.book.crossed) {
      return this.fail("crossed", `best bid ${this.book.bids.best} >= best ask ${this.book.asks.best}`, msg);
    }
    return undefined;
  }

  private fail(reason: BookBreakReason, detail: string, msg: Book): SyncOutput[] {
    const fromSeq = this.lastSeq;
    this.drop();
    // A delta that arrived too early still bridges the next snapshot; one that crossed the book or
    // failed its checksum is suspect, and re-applied on a snapshot at its own id it would break again.
    if (this.rules.snapshotFrom === "rest" && msg.kind === "delta" && reason === "gap") this.buffer.push(msg);
    return [{ kind: "break", reason, detail, fromSeq, toSeq: msg.seq }, ...this.request()];
  }

  private request(): SyncOutput[] {
    if (this.requested) return [];
    this.requested = true;
    return [{ kind: "need-snapshot" }];
  }

  /** Forget the book (connection lost, or a break). The next snapshot starts over. */
  drop(): void {
    this.state = "waiting";
    this.book.reset({ bids: [], asks: [] });
    this.buffer = [];
    this.requested = false;
  }

  private snapshotMessage(from: Book): Book {
    const top = this.book.top(this.snapshotDepth > 0 ? this.snapshotDepth : Number.MAX_SAFE_INTEGER);
    this.lastPublishedSeq = from.seq;
    const { exact: _exact, checksum: _checksum, ...rest } = from;
    return { ...rest, kind: "snapshot", seq: from.seq, prevSeq: null, bids: top.bids, asks: top.asks };
  }
}
