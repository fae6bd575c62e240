import { afterAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import postgres from "postgres";

/** Every SQL block in docs/analysts.md runs, as the read-only analyst role. */
const url = new URL(
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test",
);
url.username = "analyst";
url.password = "";
const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
afterAll(() => sql.end());

const doc = await Bun.file(resolve(import.meta.dir, "../../../docs/analysts.md")).text();
const queries = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());

describe("docs/analysts.md example queries", () => {
  test("the document has examples", () => {
    expect(queries.length).toBeGreaterThanOrEqual(5);
  });
  for (const [i, q] of queries.entries()) {
    test(`query ${i + 1}: ${q.split("\n")[0]}`, async () => {
      await sql.unsafe(q);
    });
  }
  test("the analyst role cannot write", async () => {
    await expect(sql`delete from markets`).rejects.toThrow(/permission denied/);
  });
});
