import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";

/**
 * The recorded exchange messages (../shared/fixtures, see its PROVENANCE.md), read in place at run
 * time and never copied into the repository. TICKERPLANT_FIXTURES overrides the directory.
 */
export function fixturesDir(): string {
  const env = process.env.TICKERPLANT_FIXTURES;
  if (env && env.length > 0) return isAbsolute(env) ? env : resolve(process.cwd(), env);
  // bench/lib/peers → <repo> → <repo>/../shared/fixtures
  return resolve(import.meta.dir, "../../../../shared/fixtures");
}

function read(rel: string): string {
  const path = join(fixturesDir(), rel);
  if (!existsSync(path)) {
    throw new Error(
      `fixture ${rel} not found at ${path} (set TICKERPLANT_FIXTURES to the fixtures directory)`,
    );
  }
  return readFileSync(path, "utf8");
}

/** The non-empty lines of a .jsonl recording: one frame each, exactly as received. */
export function readFrames(rel: string): string[] {
  return read(rel)
    .split("\n")
    .filter((line) => line.trim().length > 0);
}

/** A REST response body. */
export function readBody(rel: string): unknown {
  return JSON.parse(read(rel));
}
