import { expect, test } from "bun:test";
import { InFlight } from "../src/in-flight.ts";

test("same-key calls share the read in flight; a call after it settles reads again", async () => {
  const reads = new InFlight<string>();
  let runs = 0;
  let release!: (v: string) => void;
  const read = () => {
    runs++;
    return new Promise<string>((resolve) => {
      release = resolve;
    });
  };
  const a = reads.share("k", read);
  const b = reads.share("k", read);
  const other = reads.share("other", () => Promise.resolve("o"));
  expect(runs).toBe(1);
  release("v1");
  expect(await Promise.all([a, b, other])).toEqual(["v1", "v1", "o"]);
  const c = reads.share("k", read);
  expect(runs).toBe(2);
  release("v2");
  expect(await c).toBe("v2");
});

test("a failed read fails the calls that shared it, and only those", async () => {
  const reads = new InFlight<string>();
  let fail!: (e: Error) => void;
  const failing = () =>
    new Promise<string>((_, reject) => {
      fail = reject;
    });
  const a = reads.share("k", failing);
  const b = reads.share("k", failing);
  fail(new Error("db down"));
  await expect(a).rejects.toThrow("db down");
  await expect(b).rejects.toThrow("db down");
  expect(await reads.share("k", () => Promise.resolve("ok"))).toBe("ok");
});
