import { describe, expect, test } from "bun:test";
import {
  batchMessageId,
  decodeEvents,
  EVENTS_VERSION,
  encodeEvents,
  ParseError,
  RecentEventIds,
} from "../src/index.ts";

const enc = new TextEncoder();

describe("event batches", () => {
  test("round trip keeps every event and its order", () => {
    const events = [{ id: "1", p: "a\nb" }, { id: "2" }, { id: "3" }].map((e) => JSON.stringify(e));
    const body = enc.encode(encodeEvents(events));
    expect(decodeEvents(body, EVENTS_VERSION)).toEqual(events);
    expect(decodeEvents(encodeEvents(events), EVENTS_VERSION).map((t) => JSON.parse(t).id)).toEqual([
      "1",
      "2",
      "3",
    ]);
  });

  test("a message without the header is one event; one event in the format is its plain JSON", () => {
    expect(decodeEvents(enc.encode('{"a":1}'), undefined)).toEqual(['{"a":1}']);
    expect(encodeEvents(['{"a":1}'])).toBe('{"a":1}');
    expect(decodeEvents(enc.encode('{"a":1}'), EVENTS_VERSION)).toEqual(['{"a":1}']);
  });

  test("an unknown version is a ParseError, never a guess", () => {
    expect(() => decodeEvents(enc.encode("{}"), "2")).toThrow(ParseError);
  });

  test("message ids: one event keeps its own id; batches differ by grouping and content", () => {
    expect(batchMessageId(["trade:x:A:1"])).toBe("trade:x:A:1");
    const ab = batchMessageId(["trade:x:A:1", "trade:x:A:2"]);
    expect(ab).toBe(batchMessageId(["trade:x:A:1", "trade:x:A:2"]));
    expect(ab).not.toBe(batchMessageId(["trade:x:A:1", "trade:x:A:3"]));
    expect(ab).not.toBe(batchMessageId(["trade:x:A:1", "trade:x:A:2", "trade:x:A:3"]));
  });
});

describe("RecentEventIds (the consumers' dedup rule)", () => {
  test("an id repeated within the window is dropped; keys are independent", () => {
    const seen = new RecentEventIds(3);
    expect(seen.firstSeen("A", "1")).toBe(true);
    expect(seen.firstSeen("A", "1")).toBe(false);
    expect(seen.firstSeen("B", "1")).toBe(true);
    expect(seen.firstSeen("A", "2")).toBe(true);
    expect(seen.firstSeen("A", "3")).toBe(true);
    expect(seen.firstSeen("A", "2")).toBe(false);
    // Window of 3: "1" was evicted by "4".
    expect(seen.firstSeen("A", "4")).toBe(true);
    expect(seen.firstSeen("A", "1")).toBe(true);
  });
});
