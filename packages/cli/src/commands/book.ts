import {
  type Book,
  BookSync,
  type ExchangeAdapter,
  getAdapter,
  getExchange,
  type ParseContext,
  type Status,
} from "@tickerplant/core";
import { frameOf, readLines } from "../lines.ts";
import type { Io } from "./normalize.ts";

/**
 * Replays recorded book frames (and REST depth snapshots, one JSON document per line, in arrival
 * order) through the exchange's sync procedure: a `status` line per break, then the final book of
 * every market as a normalized snapshot. A REST snapshot (which names no market) belongs to the one
 * market awaiting one, or `--market`; one that comes before any frame is held until the first
 * market appears.
 */
export async function book(
  args: { exchange?: string; marketType?: string; depth?: string; market?: string },
  io: Io,
): Promise<number> {
  const adapter = resolveAdapter(args, io);
  if (!adapter) return 2;
  const depth = Number(args.depth ?? 10);
  if (!Number.isInteger(depth) || depth < 1) {
    io.err.write("book: --depth must be a positive integer\n");
    return 2;
  }
  const rules = adapter.bookSync;
  if (!rules) {
    io.err.write(`book: ${adapter.id} ${adapter.marketType} has no book sync rules\n`);
    return 2;
  }
  const ctx: ParseContext = { recvTs: 0, marketOf: (s) => adapter.marketOfSymbol(s), state: new Map() };
  const books = new Map<string, { sync: BookSync; last: Book }>();
  const emitStatus = (b: Book, event: Status["event"], detail: string, fromSeq?: number, toSeq?: number) => {
    const status: Status = {
      type: "status",
      exchange: b.exchange,
      market: b.market,
      symbol: b.symbol,
      ts: b.ts,
      recvTs: b.recvTs,
      event,
      detail,
      channels: ["book"],
      ...(fromSeq !== undefined ? { fromSeq } : {}),
      ...(toSeq !== undefined ? { toSeq } : {}),
    };
    io.out.write(`${JSON.stringify(status)}\n`);
  };
  // REST snapshots that came before any frame of their market: held until the market is known.
  const held: Array<{ text: string; recvTs: number }> = [];
  const feed = (b: Book, rest: boolean) => {
    let entry = books.get(b.market);
    if (!entry) {
      entry = { sync: new BookSync(rules), last: b };
      books.set(b.market, entry);
      if (!rest && held.length > 0 && (args.market ?? awaitingMarket(books)) === b.market) {
        for (const h of held.splice(0)) {
          const snapshot = restSnapshot(adapter, h.text, b.market, h.recvTs);
          if (snapshot) feed(snapshot, true);
        }
      }
    }
    entry.last = b;
    const outputs = rest ? entry.sync.onRestSnapshot(b) : entry.sync.onMessage(b);
    for (const o of outputs) {
      if (o.kind === "break")
        emitStatus(
          b,
          o.reason === "gap" ? "gap" : "resync",
          `book ${o.reason}: ${o.detail}`,
          o.fromSeq,
          o.toSeq,
        );
    }
  };

  let line = 0;
  let unused = 0;
  for await (const text of readLines(io.input)) {
    line++;
    ctx.recvTs = Date.now();
    const r = adapter.parseFrame(frameOf(text), ctx);
    if (r.kind === "data") {
      for (const m of r.messages) if (m.type === "book") feed(m, false);
      continue;
    }
    const market = args.market ?? awaitingMarket(books);
    const snapshot = restSnapshot(adapter, text, market, ctx.recvTs);
    if (snapshot) feed(snapshot, true);
    else if (market === undefined && books.size === 0 && restSnapshot(adapter, text, HELD, ctx.recvTs)) {
      held.push({ text, recvTs: ctx.recvTs });
    } else if (r.kind === "invalid") {
      unused++;
      io.err.write(`line ${line}: ${r.reason}: ${r.detail}\n`);
    }
  }
  for (const [market, { sync, last }] of [...books].sort(([a], [b]) => a.localeCompare(b))) {
    if (!sync.synced) {
      io.err.write(`book: ${market} never synced (no usable snapshot)\n`);
      continue;
    }
    const top = sync.book.top(depth);
    const snap: Book = {
      ...last,
      kind: "snapshot",
      seq: sync.seq,
      prevSeq: null,
      bids: top.bids,
      asks: top.asks,
    };
    delete snap.exact;
    delete snap.checksum;
    io.out.write(`${JSON.stringify(snap)}\n`);
  }
  if (held.length > 0) {
    io.err.write(`book: ${held.length} REST snapshot(s) never matched a market (no frame of one followed)\n`);
  }
  io.err.write(`book: ${line} lines, ${books.size} markets, ${unused} unusable\n`);
  return 0;
}

function resolveAdapter(
  args: { exchange?: string; marketType?: string },
  io: Io,
): ExchangeAdapter | undefined {
  if (!args.exchange) {
    io.err.write("book: --exchange is required\n");
    return undefined;
  }
  if (!getExchange(args.exchange)) {
    io.err.write(`book: unknown exchange "${args.exchange}"\n`);
    return undefined;
  }
  const type = args.marketType === "perp" ? "perp" : "spot";
  const adapter = getAdapter(args.exchange, type);
  if (!adapter) io.err.write(`book: ${args.exchange} has no market type "${args.marketType}"\n`);
  return adapter;
}

/** The one market still waiting for a snapshot, which a bare REST depth response belongs to. */
function awaitingMarket(books: Map<string, { sync: BookSync }>): string | undefined {
  const waiting = [...books].filter(([, b]) => !b.sync.synced).map(([m]) => m);
  return waiting.length === 1 ? waiting[0] : undefined;
}

/** A stand-in market to recognise a REST depth body whose market is not known yet. */
const HELD = "HELD-HELD";

function restSnapshot(
  adapter: ExchangeAdapter,
  text: string,
  market: string | undefined,
  recvTs: number,
): Book | undefined {
  if (!market || adapter.bookSync?.snapshotFrom !== "rest") return undefined;
  try {
    const body = JSON.parse(text);
    const b = adapter.rest.parseDepth(body, { recvTs, market });
    return { ...b, symbol: b.symbol || adapter.symbolOf(market) };
  } catch {
    return undefined;
  }
}
