import ccxt from "ccxt";
import type { Counted } from "./ours.ts";

/**
 * ccxt's WebSocket parsers as ccxt.pro runs them: each frame JSON-decoded, then handed to the
 * exchange's handleMessage() with a client object for the URL (created, never connected). ccxt has
 * no separate parse step: handleMessage parses and also updates its caches (trades ring buffers,
 * tickers, and order books, where it applies the levels), so its numbers include that work.
 * Caches and the client are reset before every pass (cleanWsData, as on reconnect).
 */

// biome-ignore lint/suspicious/noExplicitAny: ccxt's pro classes are used through their JS surface
type Pro = any;

export interface CcxtOptions {
  id: string;
  url: string;
  /**
   * Binance: REST depth snapshots applied to ccxt's order book before each pass (what its
   * watchOrderBook does), so diffs are applied instead of buffered.
   */
  snapshots?: ReadonlyArray<{ symbol: string; body: string }>;
  /** Market ids ("BASE-QUOTE") for an exchange whose handlers refuse to run without loaded markets. */
  markets?: readonly string[];
}

function minimalMarkets(ids: readonly string[]) {
  return ids.map((id) => {
    const [base, quote] = id.split("-");
    return {
      id,
      symbol: `${base}/${quote}`,
      base,
      quote,
      baseId: base,
      quoteId: quote,
      type: "spot",
      spot: true,
      swap: false,
      future: false,
      option: false,
      contract: false,
      active: true,
      precision: { amount: 1e-8, price: 1e-8 },
      limits: {},
      info: {},
    };
  });
}

export function ccxtPass(o: CcxtOptions, frames: readonly string[]): Counted & { resolves: number } {
  const Klass = (ccxt.pro as unknown as Record<string, new (config?: object) => Pro>)[o.id];
  if (!Klass) throw new Error(`ccxt.pro has no ${o.id}`);
  const ex: Pro = new Klass({});
  if (o.markets) ex.setMarkets(minimalMarkets(o.markets));
  let client: Pro;
  let resolves = 0;
  let failed = 0;
  return {
    get messages() {
      return resolves;
    },
    get resolves() {
      return resolves;
    },
    get failed() {
      return failed;
    },
    setup() {
      ex.cleanWsData();
      ex.bidsasks = {};
      ex.fundingRates = {};
      ex.clients = {};
      client = ex.client(o.url);
      const resolve = client.resolve.bind(client);
      client.resolve = (result: unknown, hash: string) => {
        resolves++;
        return resolve(result, hash);
      };
      for (const s of o.snapshots ?? []) {
        const body = JSON.parse(s.body);
        const snap = ex.parseOrderBook(body, s.symbol);
        snap.nonce = body.lastUpdateId;
        const book = ex.orderBook();
        book.reset(snap);
        ex.orderbooks[s.symbol] = book;
      }
    },
    run() {
      resolves = 0;
      failed = 0;
      for (let i = 0; i < frames.length; i++) {
        try {
          ex.handleMessage(client, JSON.parse(frames[i]!));
        } catch {
          failed++;
        }
      }
      return frames.length;
    },
  };
}
