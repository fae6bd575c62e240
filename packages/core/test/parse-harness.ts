import { expect } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import type { FrameResult, ParseContext } from "../src/adapter.ts";
import { type MarketMessage, MESSAGE_SCHEMAS, type Trade } from "../src/schemas/messages.ts";
import { readFixture } from "./fixtures.ts";

/**
 * What the adapter parser tests share: a ParseContext factory, labels and counts of results, the
 * schema check of messages and the assertions on an "invalid" result.
 */

export const RECV_TS = 1_800_000_000_000;

/**
 * A ParseContext whose markets come from a symbol → market table or a lookup function, with a
 * fresh state map unless one is given (a connection's state outlives one frame).
 */
export function parseContext(
  markets: Readonly<Record<string, string>> | ((symbol: string) => string | undefined),
  recvTs = RECV_TS,
  state: Map<string, unknown> = new Map(),
): ParseContext {
  const marketOf =
    typeof markets === "function"
      ? markets
      : (s: string) => (Object.hasOwn(markets, s) ? markets[s] : undefined);
  return { recvTs, marketOf, state };
}

/** The schema errors of a message, empty when it validates. */
export function schemaErrors(m: MarketMessage): string[] {
  const schema = MESSAGE_SCHEMAS[m.type];
  const value: unknown = m;
  if (Value.Check(schema, value)) return [];
  return [...Value.Errors(schema, value)].map((e) => `${m.type}${e.path}: ${e.message}`);
}

/**
 * How a data result is labelled: each message ("trade+bbo+bbo"), each message type once
 * ("trade+bbo"), or its first message only ("trade"; "data:empty" without one).
 */
export type DataLabel = "each" | "distinct" | "first";

const messageLabel = (m: MarketMessage): string => (m.type === "book" ? `book:${m.kind}` : m.type);

/**
 * A label per result: "trade", "book:delta", "ignored:<reason>", "invalid:<reason>", "ack", ...;
 * with `controlEvents`, control results name their event ("control:heartbeat").
 */
export function resultLabel(r: FrameResult, data: DataLabel = "each", controlEvents = false): string {
  switch (r.kind) {
    case "data": {
      if (data === "first") {
        const m = r.messages[0];
        return m ? messageLabel(m) : "data:empty";
      }
      const labels = r.messages.map(messageLabel);
      return (data === "distinct" ? [...new Set(labels)] : labels).join("+");
    }
    case "ignored":
    case "invalid":
      return `${r.kind}:${r.reason}`;
    case "control":
      return controlEvents ? `control:${r.event}` : r.kind;
    default:
      return r.kind;
  }
}

/** Results per label. */
export function countLabels(
  results: readonly FrameResult[],
  labelOf: (r: FrameResult) => string = resultLabel,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) {
    const k = labelOf(r);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/** The messages of each result (none for a result without data). */
export function messagesPerResult(results: readonly FrameResult[]): MarketMessage[][] {
  return results.map((r) => (r.kind === "data" ? r.messages : []));
}

/** `r` is invalid for `reason`, one of the adapter's `reasons`, with a short detail (matching `detail`). */
export function expectInvalidResult(
  r: FrameResult,
  reason: string,
  reasons: readonly string[],
  detail?: RegExp,
): void {
  expect(r.kind).toBe("invalid");
  if (r.kind !== "invalid") return;
  expect(r.reason).toBe(reason);
  expect(reasons).toContain(r.reason);
  expect(r.detail.length).toBeGreaterThan(0);
  expect(r.detail.length).toBeLessThan(300);
  if (detail) expect(r.detail).toMatch(detail);
}

/** A fixture file parsed line by line on one connection. */
export interface ParsedFile {
  lines: string[];
  results: FrameResult[];
  /** Messages per line (empty when the line produced none). */
  perLine: MarketMessage[][];
  counts: Record<string, number>;
}

/** Parses `lines` in order with one context (one connection). */
export function parseLines(
  lines: string[],
  parseFrame: (frame: string, c: ParseContext) => FrameResult,
  c: ParseContext,
): ParsedFile {
  const results = lines.map((line) => parseFrame(line, c));
  const counts = countLabels(results);
  const perLine = messagesPerResult(results);
  return { lines, results, perLine, counts };
}

/** The one message of a line (1-based). */
export function onlyMessage<T extends MarketMessage>(p: ParsedFile, line: number): T {
  const msgs = p.perLine[line - 1];
  expect(msgs).toHaveLength(1);
  return msgs![0] as T;
}

export function allMessages(p: ParsedFile): MarketMessage[] {
  return p.perLine.flat();
}

/** Every message of the file validates against its schema. */
export function expectAllValid(p: ParsedFile): void {
  expect(allMessages(p).flatMap(schemaErrors)).toEqual([]);
}

/** A JSON-lines fixture whose every line is an array (tardis's normalized output per input line). */
export function readJsonlArrays(rel: string): Record<string, unknown>[][] {
  return readFixture(rel)
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>[]);
}

/** Our trade equals tardis's normalized trade: id, price, amount, side and time. */
export function expectTardisTrade(t: Trade, e: Record<string, unknown>): void {
  expect([t.type, t.id, t.price, t.amount, t.side, t.ts]).toEqual([
    "trade",
    e.id as string,
    e.price as number,
    e.amount as number,
    e.side as Trade["side"],
    Date.parse(e.timestamp as string),
  ]);
}
