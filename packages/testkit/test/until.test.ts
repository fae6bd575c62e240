import { describe, expect, test } from "bun:test";
import { until, waitFor } from "../src/until.ts";

describe("waitFor", () => {
  test("returns the first value that is not undefined or false, retrying throws", async () => {
    let n = 0;
    const got = await waitFor(
      "the third poll",
      () => {
        n++;
        if (n === 1) throw new Error("not up yet");
        return n >= 3 ? { n } : undefined;
      },
      { timeoutMs: 1000, stepMs: 1 },
    );
    expect(got).toEqual({ n: 3 });
  });

  test("keeps 0 and empty strings as values", async () => {
    expect(await waitFor("zero", async () => 0, { timeoutMs: 10 })).toBe(0);
    expect(await waitFor("empty", () => "", { timeoutMs: 10 })).toBe("");
  });

  test("on timeout names what, the last error and the context", async () => {
    let polls = 0;
    const err = await waitFor(
      "a miracle",
      () => {
        polls++;
        throw new Error("still broken");
      },
      { timeoutMs: 50, stepMs: 5, context: () => "--- svc\nlast log line" },
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(
      "timed out after 50 ms waiting for a miracle (last error: Error: still broken)\n--- svc\nlast log line",
    );
    expect(polls).toBeGreaterThan(1);
  });

  test("polls once even with no time", async () => {
    expect(await waitFor("now", () => true, { timeoutMs: 0 })).toBe(true);
    await expect(waitFor("never", () => false, { timeoutMs: 0 })).rejects.toThrow(
      "timed out after 0 ms waiting for never",
    );
  });
});

describe("until", () => {
  test("true once the condition holds, false after the timeout", async () => {
    let n = 0;
    expect(await until(() => ++n >= 3, 1000, 1)).toBe(true);
    expect(await until(() => false, 20, 5)).toBe(false);
  });
});
