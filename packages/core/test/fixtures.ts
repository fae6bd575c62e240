import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";

/**
 * Recorded exchange messages are carried in this repository (`packages/core/test/fixtures/`,
 * sources, licences and attributions in its PROVENANCE.md). TICKERPLANT_FIXTURES points the
 * tests at another set of recordings of the same layout (a relative value is taken from the
 * working directory).
 */
export function fixturesDir(): string {
  const env = process.env.TICKERPLANT_FIXTURES;
  if (env && env.length > 0) return isAbsolute(env) ? env : resolve(process.cwd(), env);
  return resolve(import.meta.dir, "fixtures");
}

export function fixturePath(rel: string): string {
  const path = join(fixturesDir(), rel);
  if (!existsSync(path)) {
    throw new Error(
      `fixture ${rel} not found at ${path} (set TICKERPLANT_FIXTURES to the fixtures directory)`,
    );
  }
  return path;
}

export function readFixture(rel: string): string {
  return readFileSync(fixturePath(rel), "utf8");
}

/** The non-empty lines of a .jsonl fixture, as the raw strings (frames). */
export function readLines(rel: string): string[] {
  return readFixture(rel)
    .split("\n")
    .filter((line) => line.trim().length > 0);
}

export function readJson(rel: string): unknown {
  return JSON.parse(readFixture(rel));
}
