import { TypeCompiler } from "@sinclair/typebox/compiler";
import { BboSchema, type Book, BookSchema, DerivSchema, StatsSchema, TickerSchema } from "@tickerplant/core";
import type { LatestKind } from "./latest-state.ts";

/** Compiled checks for the stored latest-state messages: what does not match is left out and counted. */
const CHECKS = {
  ticker: TypeCompiler.Compile(TickerSchema),
  bbo: TypeCompiler.Compile(BboSchema),
  stats: TypeCompiler.Compile(StatsSchema),
  deriv: TypeCompiler.Compile(DerivSchema),
};

export function isLatestMessage(kind: LatestKind, value: unknown): boolean {
  return CHECKS[kind].Check(value);
}

const BOOK_CHECK = TypeCompiler.Compile(BookSchema);

/** A normalized book message (from md.book, or a stored snapshot in Redis). */
export function isBookMessage(value: unknown): value is Book {
  return BOOK_CHECK.Check(value);
}
