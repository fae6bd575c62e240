import fc from "fast-check";

/**
 * Shared settings and mutation arbitraries of the fuzz tests. The seed is fixed (CI replays the
 * same cases); FUZZ_SEED picks another one, FUZZ_RUNS scales the number of cases (1 = default).
 * A failing case prints its seed and path, so `FUZZ_SEED=<seed>` replays it.
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const SCALE = Number(process.env.FUZZ_RUNS ?? 1);

/** Cases for one property: `base` scaled by FUZZ_RUNS. */
export function fuzzRuns(base: number): number {
  return Math.max(1, Math.round(base * SCALE));
}

const counted: Record<string, number> = {};

/**
 * Runs a property with the fixed seed and counts its cases (printed as `fuzz cases: <name> <n>`,
 * the figures in docs/reliability.md).
 */
export function fuzzAssert<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  check: (value: T) => void,
  runs: number,
): void {
  let n = 0;
  fc.assert(
    fc.property(arb, (v) => {
      n++;
      check(v);
    }),
    { seed: FUZZ_SEED, numRuns: runs, endOnFailure: true, includeErrorInReport: true },
  );
  counted[name] = (counted[name] ?? 0) + n;
  console.log(`fuzz cases: ${name} ${n}`);
}

/** The same for async properties (network round trips). */
export async function fuzzAssertAsync<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  check: (value: T) => Promise<void>,
  runs: number,
): Promise<void> {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(arb, async (v) => {
      n++;
      await check(v);
    }),
    { seed: FUZZ_SEED, numRuns: runs, endOnFailure: true, includeErrorInReport: true },
  );
  counted[name] = (counted[name] ?? 0) + n;
  console.log(`fuzz cases: ${name} ${n}`);
}

/** Awkward values a parser meets: wrong types, extremes, number-like strings, deep nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -0,
    -1,
    1e308,
    -1e308,
    5e-324,
    Number.MAX_SAFE_INTEGER + 2,
    "",
    " ",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e309",
    "-0",
    "0x10",
    "１２３",
    "null",
    "undefined",
    "__proto__",
    "constructor",
    "\u0000",
    "\ud800",
    [],
    {},
    [[]],
    { __proto__: { polluted: true } },
  ),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.double({ noNaN: true }).map(String),
  fc.constant("9".repeat(400)),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(nested(200)),
);

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

type Json = unknown;

/** Every path (keys and indexes) inside a JSON value, the root included. */
function paths(value: Json, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  out.push(prefix);
  if (out.length > 400) return out;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) paths(v, [...prefix, i], out);
  } else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

type Edit = { kind: "replace" | "delete" | "duplicate"; pick: number; value: unknown };

function applyEdit(root: Json, edit: Edit): Json {
  const all = paths(root);
  const path = all[edit.pick % all.length] ?? [];
  if (path.length === 0) return edit.kind === "replace" ? structuredClone(edit.value) : root;
  const parentPath = path.slice(0, -1);
  let parent: unknown = root;
  for (const k of parentPath) parent = (parent as Record<string | number, unknown>)[k];
  const last = path[path.length - 1] as string | number;
  if (Array.isArray(parent)) {
    const i = last as number;
    if (edit.kind === "delete") parent.splice(i, 1);
    else if (edit.kind === "duplicate") parent.splice(i, 0, structuredClone(parent[i]));
    else parent[i] = structuredClone(edit.value);
  } else if (parent !== null && typeof parent === "object") {
    const obj = parent as Record<string, unknown>;
    if (edit.kind === "delete") delete obj[last as string];
    else if (edit.kind === "duplicate") obj[`${String(last)}_`] = structuredClone(obj[last as string]);
    else obj[last as string] = structuredClone(edit.value);
  }
  return root;
}

const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom("replace", "replace", "replace", "delete", "duplicate"),
  pick: fc.nat(),
  value: hostileValue,
});

/** A recorded JSON text with 1–4 structural edits (values replaced, keys dropped, items doubled). */
export function mutatedJson(samples: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...samples), fc.array(edit, { minLength: 1, maxLength: 4 }))
    .map(([text, edits]) => {
      let value: Json;
      try {
        value = JSON.parse(text);
      } catch {
        return text;
      }
      for (const e of edits) value = applyEdit(value, e);
      return JSON.stringify(value) ?? "null";
    });
}

type TextEdit =
  | { kind: "truncate"; at: number }
  | { kind: "flip"; at: number; ch: string }
  | { kind: "insert"; at: number; text: string }
  | { kind: "delete"; at: number; len: number };

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.nat(),
    ch: fc.constantFrom('"', "{", "}", "[", "]", ",", ":", "\\", "0", "-", ".", "e", " ", "\u0000", "é"),
  }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.string({ maxLength: 8 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 16 }) }),
);

function applyTextEdit(s: string, e: TextEdit): string {
  const at = s.length === 0 ? 0 : e.at % (s.length + 1);
  switch (e.kind) {
    case "truncate":
      return s.slice(0, at);
    case "flip":
      return s.slice(0, at) + e.ch + s.slice(at + 1);
    case "insert":
      return s.slice(0, at) + e.text + s.slice(at);
    case "delete":
      return s.slice(0, at) + s.slice(at + e.len);
  }
}

/** A recorded text with 1–3 character-level edits (truncation, flipped or inserted characters). */
export function mutatedText(samples: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...samples), fc.array(textEdit, { minLength: 1, maxLength: 3 }))
    .map(([text, edits]) => edits.reduce(applyTextEdit, text));
}

/** Random bytes, sometimes gzip of a recorded frame cut short or with a flipped byte. */
export function mutatedBytes(samples: readonly string[]): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 256 }),
    fc
      .tuple(fc.constantFrom(...samples), fc.nat(), fc.nat(255), fc.boolean())
      .map(([text, at, byte, cut]) => {
        const gz = Bun.gzipSync(new TextEncoder().encode(text));
        const i = at % gz.length;
        if (cut) return gz.slice(0, i);
        const out = gz.slice();
        out[i] = byte;
        return out;
      }),
    fc.constantFrom(...samples).map((t) => Bun.gzipSync(new TextEncoder().encode(t))),
  );
}

/** Any of the above, plus arbitrary strings and JSON. */
export function mutatedFrame(samples: readonly string[]): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    { weight: 4, arbitrary: mutatedJson(samples) },
    { weight: 3, arbitrary: mutatedText(samples) },
    { weight: 1, arbitrary: mutatedBytes(samples) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 64 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? "null") },
  );
}

export { fc };
