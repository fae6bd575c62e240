import { type Book, redisKeys } from "@tickerplant/core";
import type { Redis } from "@tickerplant/runtime";
import { isBookMessage } from "./message-check.ts";

/**
 * Reads `book:<ex>:<mkt>`, the storage-writer's top-N snapshot of a synced book (`json`, `updatedAt`,
 * `synced`; `synced` = 0 with a `detail` while the book is resyncing).
 */
export type StoredBook =
  | { state: "synced"; book: Book; updatedAt: number | null }
  | { state: "unsynced"; detail: string }
  | { state: "missing" }
  | { state: "invalid" };

export async function readStoredBook(redis: Redis, exchange: string, market: string): Promise<StoredBook> {
  const [json, updatedAt, synced, detail] = await redis.hmget(
    redisKeys.market("book", exchange, market),
    "json",
    "updatedAt",
    "synced",
    "detail",
  );
  if (synced === "0") return { state: "unsynced", detail: detail ?? "the order book is resyncing" };
  if (json === null || json === undefined) return { state: "missing" };
  let book: unknown;
  try {
    book = JSON.parse(json);
  } catch {
    return { state: "invalid" };
  }
  if (!isBookMessage(book)) return { state: "invalid" };
  const at = updatedAt == null ? Number.NaN : Number(updatedAt);
  return { state: "synced", book, updatedAt: Number.isFinite(at) ? at : null };
}
