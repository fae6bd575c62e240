import { readJson, readLines } from "../../../packages/core/test/fixtures.ts";

/** The recorded exchange messages the tests use (packages/core/test/fixtures, see its PROVENANCE.md). */
export { fixturesDir } from "../../../packages/core/test/fixtures.ts";

/** The non-empty lines of a .jsonl recording: one frame each, exactly as received. */
export const readFrames = (rel: string): string[] => readLines(rel);

/** A REST response body. */
export const readBody = (rel: string): unknown => readJson(rel);
