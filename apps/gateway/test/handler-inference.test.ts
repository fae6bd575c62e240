import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "./helpers.ts";

let g: TestGateway;
beforeAll(async () => {
  g = await startTestGateway();
});
afterAll(() => g.close());

// Elysia compiles each route from what its hooks read (by their source): a hook handing the whole
// context to a function makes every route parse cookies and copy headers per request.
test("a read route's compiled handler parses no cookies, copies no headers, defines no server getter", async () => {
  await fetch(`${g.base}/api/v1/tickers`);
  const route = (g.gateway.app as any).router.history.find((r: any) => r.path === "/api/v1/tickers");
  const source = String(route.composed ?? route.compile());
  expect(source).toContain("parseQueryFromURL");
  expect(source).not.toContain("parseCookie");
  expect(source).not.toContain("headers.toJSON");
  expect(source).not.toContain("'server'");
});
