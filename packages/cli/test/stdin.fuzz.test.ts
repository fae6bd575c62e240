import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { EXCHANGES } from "@tickerplant/core";
import { fc, fuzzAssertAsync, fuzzRuns, mutatedFrame } from "@tickerplant/testkit/fuzz";
import { fixturesDir } from "../../core/test/fixtures.ts";
import { book } from "../src/commands/book.ts";
import { normalize } from "../src/commands/normalize.ts";

/**
 * `tickerplant normalize` and `tickerplant book` on random stdin: mutated recorded frames and REST
 * snapshots, base64 and raw bytes, broken UTF-8, any line endings. They never throw, exit 0, and
 * every stdout line is JSON.
 */

const DIRS: Record<string, string[]> = {
  binance: ["binance", "binance-futures"],
  bybit: ["bybit"],
  okx: ["okx"],
  coinbase: ["coinbase"],
  kraken: ["kraken"],
  whitebit: ["whitebit"],
  bingx: ["bingx"],
};

function samples(exchange: string): string[] {
  const out: string[] = [];
  for (const dir of DIRS[exchange] ?? []) {
    const path = join(fixturesDir(), dir);
    for (const file of readdirSync(path).sort()) {
      if (file.includes("expected")) continue;
      const text = readFileSync(join(path, file), "utf8");
      if (file.endsWith(".json")) out.push(JSON.stringify(JSON.parse(text)).slice(0, 20_000));
      else if (file.endsWith(".jsonl"))
        out.push(...text.split("\n").filter((l) => l.trim() && l.length < 6000));
    }
  }
  const step = Math.max(1, Math.ceil(out.length / 200));
  return out.filter((_, i) => i % step === 0);
}

const enc = new TextEncoder();

/** Lines of mutated frames (binary ones as base64, as recordings hold them) with random endings, or raw bytes. */
function stdinFor(pool: readonly string[]): fc.Arbitrary<Uint8Array> {
  const line = fc.oneof(
    {
      weight: 5,
      arbitrary: mutatedFrame(pool).map((f) =>
        typeof f === "string" ? f : Buffer.from(f).toString("base64"),
      ),
    },
    { weight: 2, arbitrary: fc.constantFrom(...pool) },
  );
  const lines = fc
    .tuple(fc.array(line, { maxLength: 12 }), fc.constantFrom("\n", "\r\n", "\n\n", "\r"))
    .map(([ls, sep]) => enc.encode(ls.join(sep)));
  return fc.oneof(
    { weight: 6, arbitrary: lines },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }) },
  );
}

function streamOf(bytes: Uint8Array, chunk: number): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (let i = 0; i < bytes.length; i += chunk) c.enqueue(bytes.slice(i, i + chunk));
      c.close();
    },
  });
}

async function runCommand(
  command: typeof normalize | typeof book,
  args: { exchange: string; marketType: string },
  bytes: Uint8Array,
  chunk: number,
): Promise<void> {
  let out = "";
  let err = "";
  const code = await command(args, {
    input: streamOf(bytes, chunk),
    out: { write: (s: string) => (out += s) },
    err: { write: (s: string) => (err += s) },
  });
  if (code !== 0) throw new Error(`exit ${code}: ${err.slice(-300)}`);
  for (const l of out.split("\n").filter(Boolean)) JSON.parse(l);
}

const adapters = Object.values(EXCHANGES).flatMap((e) => e.adapters);
const RUNS = fuzzRuns(150);

describe("CLI stdin fuzz (in process)", () => {
  for (const a of adapters) {
    const args = { exchange: a.id, marketType: a.marketType };
    const pool = samples(a.id);
    test(`normalize ${a.id} ${a.marketType}`, async () => {
      await fuzzAssertAsync(
        `cli normalize ${a.id}/${a.marketType}`,
        fc.tuple(stdinFor(pool), fc.integer({ min: 1, max: 4096 })),
        ([bytes, chunk]) => runCommand(normalize, args, bytes, chunk),
        RUNS,
      );
    });
    if (a.bookSync) {
      test(`book ${a.id} ${a.marketType}`, async () => {
        await fuzzAssertAsync(
          `cli book ${a.id}/${a.marketType}`,
          fc.tuple(stdinFor(pool), fc.integer({ min: 1, max: 4096 })),
          ([bytes, chunk]) => runCommand(book, args, bytes, chunk),
          RUNS,
        );
      });
    }
  }
});

describe("CLI stdin fuzz (the real process)", () => {
  const CLI = resolve(import.meta.dir, "../src/main.ts");
  test("random stdin: exit 0, JSON lines on stdout, no stack trace", async () => {
    const pool = samples("binance");
    await fuzzAssertAsync(
      "cli process normalize/book",
      fc.tuple(stdinFor(pool), fc.constantFrom("normalize", "book")),
      async ([bytes, command]) => {
        const proc = Bun.spawn(["bun", CLI, command, "--exchange", "binance"], {
          stdin: bytes,
          stdout: "pipe",
          stderr: "pipe",
        });
        const [out, err, code] = await Promise.all([
          new Response(proc.stdout).text(),
          new Response(proc.stderr).text(),
          proc.exited,
        ]);
        expect(code).toBe(0);
        expect(err).not.toMatch(/^\s+at /m);
        for (const l of out.split("\n").filter(Boolean)) JSON.parse(l);
      },
      fuzzRuns(12),
    );
  }, 240_000);
});
