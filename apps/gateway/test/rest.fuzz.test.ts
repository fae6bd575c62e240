import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fc, fuzzAssertAsync, fuzzRuns, hostileValue } from "@tickerplant/testkit/fuzz";
import { startTestGateway, type TestGateway } from "./helpers.ts";

/**
 * The REST API under random query parameters, path parameters, bodies and encodings: never a 5xx
 * (but 503 book_unavailable, a real answer), every error is the JSON error body, and the gateway
 * still answers afterwards. Routes come from the gateway's own OpenAPI document, so routes added
 * later are fuzzed too.
 */

const ADMIN = "fuzz-admin-secret-0123456789";
const WRITER = "fuzz-writer-secret-0123456789";
let g: TestGateway;
let routes: Array<{ method: string; path: string; params: string[] }>;

beforeAll(async () => {
  g = await startTestGateway({
    RATE_LIMIT_PER_IP: "0",
    RATE_LIMIT_PER_KEY: "0",
    ADMIN_API_KEYS: ADMIN,
    API_KEYS: `fuzz:write:${WRITER}`,
    HTTP_MAX_BODY_BYTES: "8192",
  });
  const doc = (await (await fetch(`${g.base}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
  };
  routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      params: (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name),
    })),
  );
});
afterAll(() => g.close());

// Strings as a client might send them: hostile values, valid-looking names, broken encodings.
const text: fc.Arbitrary<string> = fc.oneof(
  hostileValue.map((v) => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""))),
  fc.constantFrom(
    "binance",
    "BTC-USDT",
    "BTC-USDT-PERP",
    "1m",
    "2024-01-01T00:00:00Z",
    "1717000000000",
    "*",
    "..",
  ),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.constant("x".repeat(5000)),
);

/** Percent-encodes, leaves raw, or writes a broken escape. */
const encoded = fc
  .tuple(text, fc.constantFrom("encode", "encode", "raw", "broken", "double"))
  .map(([raw, how]) => {
    const s = Buffer.from(raw, "utf8").toString("utf8"); // lone surrogates become U+FFFD
    switch (how) {
      case "encode":
        return encodeURIComponent(s);
      case "double":
        return encodeURIComponent(encodeURIComponent(s));
      case "broken":
        return `${encodeURIComponent(s)}%${["", "Z", "ZZ", "C0%AF", "E0%80", "00", "FF"][s.length % 7]}`;
      default:
        return s.replace(/[#?&\s/]/g, "");
    }
  });

const request = fc.record({
  route: fc.nat(),
  pathValues: fc.array(encoded, { minLength: 4, maxLength: 4 }),
  query: fc.array(fc.tuple(fc.oneof(fc.nat(), encoded), encoded), { maxLength: 6 }),
  method: fc.constantFrom("GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "route"),
  key: fc.constantFrom(null, null, ADMIN, WRITER, "wrong-key", ""),
  body: fc.option(
    fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? "null"),
      fc.string({ maxLength: 200 }),
      fc.constant("{".repeat(3000)),
      fc.constant(`{"channels":["trade"],"x":"${"y".repeat(10_000)}"}`),
    ),
  ),
  contentType: fc.constantFrom(
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    null,
  ),
});

type Req = typeof request extends fc.Arbitrary<infer T> ? T : never;

function toFetch(r: Req): { url: string; init: RequestInit } {
  const route = routes[r.route % routes.length] as (typeof routes)[number];
  let i = 0;
  // Writes only ever name this test's own exchange, so the shared subscriptions KV is not touched.
  const path = route.path.replace(/\{[^}]+\}|:[a-zA-Z]+/g, (m) =>
    /exchange/.test(m) && route.method !== "GET" ? g.exchange : (r.pathValues[i++ % 4] as string),
  );
  const query = r.query
    .map(
      ([k, v]) =>
        `${typeof k === "number" ? (route.params[k % Math.max(1, route.params.length)] ?? "x") : k}=${v}`,
    )
    .join("&");
  const method = r.method === "route" ? route.method : r.method;
  const headers: Record<string, string> = {};
  if (r.key !== null) headers["x-api-key"] = r.key;
  if (r.contentType) headers["content-type"] = r.contentType;
  const withBody = r.body !== null && method !== "GET" && method !== "HEAD";
  return {
    url: `${g.base}${path}${query ? `?${query}` : ""}`,
    init: { method, headers, body: withBody ? r.body : undefined },
  };
}

const statuses: Record<number, number> = {};

describe("REST fuzz", () => {
  test("the OpenAPI document lists the routes", () => {
    expect(routes.length).toBeGreaterThan(8);
  });

  test("random requests: no 5xx but book_unavailable, JSON error bodies, the gateway stays up", async () => {
    await fuzzAssertAsync(
      "gateway REST requests",
      request,
      async (r) => {
        const { url, init } = toFetch(r);
        let res: Response;
        try {
          res = await fetch(url, init);
        } catch (err) {
          // fetch itself refuses some URLs (not the server's doing); the server must still answer.
          if (err instanceof TypeError && /URL|url|invalid/i.test(err.message)) return;
          throw err;
        }
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const body = init.method === "HEAD" ? "" : await res.text();
        if (res.status >= 500) {
          expect({ status: res.status, body, url, method: init.method }).toMatchObject({
            status: 503,
            body: expect.stringContaining("book_unavailable"),
          });
        }
        // 431 (URL or headers too long) and 413 past Bun's own body cap come from the HTTP server
        // before any route, with an empty body; everything else is the API's JSON error.
        const fromServer = (res.status === 431 || res.status === 413) && body === "";
        if (
          res.status >= 400 &&
          !fromServer &&
          init.method !== "HEAD" &&
          new URL(url).pathname.startsWith("/api/")
        ) {
          let parsed: { error?: { code?: unknown; message?: unknown } } = {};
          try {
            parsed = JSON.parse(body);
          } catch {}
          expect({
            status: res.status,
            method: init.method,
            url: url.slice(0, 200),
            code: typeof parsed.error?.code,
          }).toEqual({
            status: res.status,
            method: init.method,
            url: url.slice(0, 200),
            code: "string",
          });
          expect(typeof parsed.error?.message).toBe("string");
        }
      },
      fuzzRuns(800),
    );
    console.log("REST fuzz statuses", JSON.stringify(statuses));
    const health = await fetch(`${g.base}/health/ready`);
    expect(health.status).toBe(200);
    expect(g.logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  }, 600_000);

  test("raw HTTP garbage: the server answers 4xx or closes, and keeps serving", async () => {
    await fuzzAssertAsync(
      "gateway raw HTTP",
      fc.oneof(
        fc.string({ maxLength: 300 }).map((s) => `${s}\r\n\r\n`),
        fc
          .tuple(fc.constantFrom("GET", "POST", "BREW", ""), encoded)
          .map(([m, p]) => `${m} /api/v1/${p} HTTP/1.1\r\nHost: x\r\n\r\n`),
        fc
          .nat(20_000)
          .map((n) => `GET /api/v1/exchanges HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(n)}\r\n\r\n`),
        fc.constant(
          "POST /api/v1/admin/subscriptions/x/BTC-USDT HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        ),
      ),
      async (raw) => {
        const reply = await rawExchange(g.port, raw);
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);
        if (status !== 0) expect(status).toBeLessThan(500);
      },
      fuzzRuns(150),
    );
    expect((await fetch(`${g.base}/api/v1/exchanges`)).status).toBe(200);
  }, 300_000);
});

/** Writes raw bytes to the server and reads what comes back until it closes or 2 s pass. */
async function rawExchange(port: number, raw: string): Promise<string> {
  let received = "";
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => {
    done = r;
  });
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data(_s, chunk) {
        received += chunk.toString();
        if (/\r\n\r\n/.test(received)) done();
      },
      close() {
        done();
      },
      error() {
        done();
      },
    },
  });
  socket.write(raw);
  const timer = setTimeout(done, 2000);
  await finished;
  clearTimeout(timer);
  socket.end();
  return received;
}
