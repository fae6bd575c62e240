import type { GatewayMetrics } from "../metrics.ts";
import type { BookEvent, BookFeed } from "./book-feed.ts";
import type { Outbox } from "./outbox.ts";
import { dataEnvelope } from "./protocol.ts";

type SnapshotReason = "subscribe" | "resync" | "behind";

interface ChannelState {
  /** Highest stream position accounted for (sent, skipped or seen as a hole). */
  pos: number;
  /** The book seq the client holds (data.seq of the last frame sent); null = it has no book. */
  bookSeq: number | null;
  /** Fell behind: deltas are dropped until a fresh snapshot goes out. */
  behind: boolean;
  /** The feed to take the next snapshot from (the last one that advanced this channel). */
  feed: BookFeed;
  reason: SnapshotReason;
}

/**
 * One client's order books, per concrete channel: a snapshot first (taken from the gateway's
 * replica, `"snapshot":true`), then every delta whose prevSeq is the seq the client holds, so
 * `data.prevSeq`/`data.seq` are continuous. A snapshot published by the source (the ingestor
 * resynced) replaces the client's book. When the client falls behind (its socket holds more than
 * the low-water mark), its deltas are dropped and it gets a fresh snapshot once the socket drains:
 * a new snapshot, never a silent hole. Overlapping subscriptions (a market and a pattern over it)
 * see the same stream sequences and are deduplicated by them.
 */
export class ClientBooks {
  private readonly channels = new Map<string, ChannelState>();

  constructor(
    private readonly outbox: Outbox,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** Right after `subscribed`: a snapshot of every in-sync market the feed covers that the client lacks. */
  start(feed: BookFeed, covers: (channel: string) => boolean): void {
    for (const channel of feed.syncedChannels()) {
      if (!covers(channel)) continue;
      const st = this.state(channel, feed);
      if (st.bookSeq === null) this.sendSnapshot(channel, st);
    }
  }

  onEvent(e: BookEvent): void {
    const existing = this.channels.get(e.channel);
    if (existing && e.pos <= existing.pos) return; // another feed already covered it
    if (e.outcome === "ignored") return;
    const st = existing ?? this.state(e.channel, e.feed);
    st.feed = e.feed;
    st.pos = e.pos;
    if (e.outcome === "hole") {
      // The gateway's copy lost continuity: no more deltas until the next snapshot.
      st.bookSeq = null;
      st.reason = "resync";
      return;
    }
    if (st.behind || st.bookSeq === null) {
      if (!this.sendSnapshot(e.channel, st) && st.behind) this.metrics.wsBookDeltasDropped.inc();
      return;
    }
    const { book } = e;
    const restart = book.kind === "snapshot";
    if (restart && book.seq === st.bookSeq) return; // a periodic snapshot of the book the client holds
    if (!restart && book.prevSeq !== st.bookSeq) {
      st.reason = "resync";
      this.sendSnapshot(e.channel, st);
      return;
    }
    if (!this.outbox.book(dataEnvelope(e.channel, e.streamSeq, e.payload))) {
      this.markBehind(st);
      this.metrics.wsBookDeltasDropped.inc();
      return;
    }
    if (restart) this.metrics.wsBookSnapshots.inc({ reason: "resync" });
    st.bookSeq = book.seq;
  }

  /** The socket drained: channels that fell behind get their fresh snapshot now. */
  onDrain(): void {
    for (const [channel, st] of this.channels) if (st.behind) this.sendSnapshot(channel, st);
  }

  /** Forgets channels no remaining subscription covers. */
  forget(covered: (channel: string) => boolean): void {
    for (const channel of this.channels.keys()) if (!covered(channel)) this.channels.delete(channel);
  }

  private state(channel: string, feed: BookFeed): ChannelState {
    let st = this.channels.get(channel);
    if (!st) {
      st = { pos: 0, bookSeq: null, behind: false, feed, reason: "subscribe" };
      this.channels.set(channel, st);
    }
    return st;
  }

  private markBehind(st: ChannelState): void {
    if (st.behind) return;
    st.behind = true;
    st.bookSeq = null;
    st.reason = "behind";
  }

  /**
   * The whole book from the feed's replica, when it is in sync and the socket has room. Returns
   * whether it went out; without room the channel waits (behind) for the socket to drain.
   */
  private sendSnapshot(channel: string, st: ChannelState): boolean {
    if (!this.outbox.bookWritable) {
      this.markBehind(st);
      return false;
    }
    const live = st.feed.snapshot(channel);
    if (!live) {
      st.bookSeq = null; // not in sync: the next snapshot in the stream starts the client
      return false;
    }
    const text = dataEnvelope(channel, live.streamSeq, JSON.stringify(live.book), true);
    if (!this.outbox.book(text)) {
      this.markBehind(st);
      return false;
    }
    this.metrics.wsBookSnapshots.inc({ reason: st.reason });
    st.pos = Math.max(st.pos, live.pos);
    st.bookSeq = live.book.seq;
    st.behind = false;
    st.reason = "resync";
    return true;
  }
}
