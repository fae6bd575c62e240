import { Type as T } from "@sinclair/typebox";
import { type Book, BookSchema } from "@tickerplant/core";
import { Elysia, t } from "elysia";
import { readStoredBook } from "../book-store.ts";
import { ApiError, ErrorBodySchema } from "../errors.ts";
import type { BookHub } from "../ws/book-hub.ts";
import { Freshness, freshness, q, type RouteDeps, requireExchange, requireMarket } from "./common.ts";

export const OrderBookResponse = T.Composite([
  BookSchema,
  Freshness,
  T.Object({
    source: T.Union([T.Literal("live"), T.Literal("store")], {
      description:
        "live: the gateway's own in-sync copy of the book (any depth); store: the storage-writer's sampled top levels in Redis (at most its BOOK_SNAPSHOT_DEPTH)",
    }),
  }),
]);

const depth = t.Integer({
  minimum: 1,
  maximum: 1000,
  default: 20,
  description: "levels per side, 1..1000",
  error: "depth must be an integer from 1 to 1000",
});

const unavailable = (exchange: string, market: string, detail: string) =>
  new ApiError(503, "book_unavailable", `no in-sync order book for ${market} on ${exchange}: ${detail}`);

/**
 * GET /orderbook/:exchange/:market?depth=: the gateway's live replica of the book when a WebSocket
 * client keeps one open, else the storage-writer's snapshot in Redis. Never a book known to be broken.
 */
export function orderbookRoute(deps: RouteDeps & { books: BookHub }) {
  return new Elysia().get(
    "/orderbook/:exchange/:market",
    async ({ params, query }) => {
      const { exchange, market } = params;
      requireExchange(deps, exchange);
      const n = query.depth ?? 20;
      const live = deps.books.live(exchange, market, n);
      if (live) return { ...live.book, ...freshness(live.updatedAt), source: "live" as const };
      const stored = await readStoredBook(deps.redis, exchange, market);
      if (stored.state === "synced") {
        const book: Book = {
          ...stored.book,
          bids: stored.book.bids.slice(0, n),
          asks: stored.book.asks.slice(0, n),
        };
        return { ...book, ...freshness(stored.updatedAt), source: "store" as const };
      }
      // No book to serve: a market the exchange does not list is 404, anything else 503.
      await requireMarket(deps, exchange, market);
      if (stored.state === "invalid") deps.metrics.invalidRecords.inc({ source: "redis" });
      throw unavailable(
        exchange,
        market,
        stored.state === "unsynced"
          ? stored.detail
          : "none is being kept (is the book channel ingested for this market?)",
      );
    },
    {
      params: t.Object({ exchange: q.exchange, market: q.market }),
      query: t.Object({ depth: t.Optional(depth) }),
      detail: {
        tags: ["market data"],
        summary: "Order book (top levels)",
        description:
          "The book as a normalized book snapshot message (`kind` snapshot, `seq` = the book's sequence number) with `updatedAt`/`ageMs`. " +
          "404 unknown_exchange / unknown_market; 503 book_unavailable when no in-sync book exists (not ingested, or resyncing).",
      },
      response: {
        200: OrderBookResponse,
        400: ErrorBodySchema,
        404: ErrorBodySchema,
        503: ErrorBodySchema,
      },
    },
  );
}
