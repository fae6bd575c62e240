import { describe, expect, test } from "bun:test";
import { createLogger } from "@tickerplant/runtime";
import { Elysia } from "elysia";
import { Registry } from "prom-client";
import { Access } from "../src/access/access.ts";
import { CorsPolicy } from "../src/access/cors.ts";
import { ApiKeyConfigError, ApiKeyRing, parseApiKeys } from "../src/access/keys.ts";
import { RateLimiter } from "../src/access/rate-limiter.ts";
import { handleError } from "../src/error-handler.ts";
import { createGatewayMetrics } from "../src/metrics.ts";

const READ = "reader-secret-0123456789";
const WRITE = "writer-secret-0123456789";
const ADMIN = "admin-secret-0123456789";

function accessFor(overrides: Partial<ConstructorParameters<typeof Access>[0]> = {}) {
  const registry = new Registry();
  const metrics = createGatewayMetrics(registry);
  const access = new Access({
    keys: new ApiKeyRing(parseApiKeys([`r:read:${READ}`, `w:write:${WRITE}`], [ADMIN])),
    keyRequired: false,
    ratePerIp: 0,
    ratePerKey: 0,
    wsPerIp: 0,
    wsPerKey: 0,
    trustProxy: false,
    metrics,
    ...overrides,
  });
  return { access, registry };
}

/** A tiny app the way the gateway wires it: admit on every request, a write route behind require. */
function appWith(access: Access) {
  const log = createLogger({ service: "access-test", level: "error", write: () => {} });
  return new Elysia()
    .onRequest(({ request, server }) => {
      access.admit(request, server);
    })
    .onError(({ code, error, request, set }) => handleError({ code, error, request, set, log, cors: {} }))
    .get("/things", () => ({ data: [] }))
    .post("/things", () => ({ data: "made" }), { beforeHandle: access.require("write") })
    .delete("/things", () => ({ data: "gone" }), { beforeHandle: access.require("admin") });
}

const call = (app: ReturnType<typeof appWith>, method: string, key?: string, ip?: string) =>
  app.handle(
    new Request("http://localhost/things", {
      method,
      headers: { ...(key ? { "x-api-key": key } : {}), ...(ip ? { "x-forwarded-for": ip } : {}) },
    }),
  );

describe("API keys", () => {
  test("parse <id>:<role>:<secret> and add ADMIN_API_KEYS as admin", () => {
    const keys = parseApiKeys(["ops:write:abc:def-0123456789xyz"], ["legacy"]);
    expect(keys).toEqual([
      { id: "ops", role: "write", secret: "abc:def-0123456789xyz" },
      { id: "admin-1", role: "admin", secret: "legacy" },
    ]);
  });

  test("bad entries are refused without echoing the secret", () => {
    for (const bad of ["nocolons", "x:root:0123456789abcdef0", "x:read:short", ":read:0123456789abcdef0"]) {
      let err: unknown;
      try {
        parseApiKeys([bad]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ApiKeyConfigError);
      expect(String((err as Error).message)).not.toContain("0123456789abcdef0");
    }
    expect(() => parseApiKeys([`a:read:${READ}`, `b:write:${READ}`])).toThrow(/repeats/);
  });

  test("lookup finds the key by secret and nothing for near misses", () => {
    const ring = new ApiKeyRing(parseApiKeys([`r:read:${READ}`], [ADMIN]));
    expect(ring.find(READ)?.id).toBe("r");
    expect(ring.find(ADMIN)?.role).toBe("admin");
    expect(ring.find(`${READ}x`)).toBeUndefined();
    expect(ring.find(READ.slice(0, -1))).toBeUndefined();
    expect(ring.find("")).toBeUndefined();
    expect(ring.hasRole("write")).toBe(true);
    expect(new ApiKeyRing(parseApiKeys([`r:read:${READ}`])).hasRole("write")).toBe(false);
  });
});

describe("roles", () => {
  test("write routes: 401 without a key, 403 below the role, allowed at or above it", async () => {
    const { access, registry } = accessFor();
    const app = appWith(access);
    const none = await call(app, "POST");
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    expect((await call(app, "POST", "not-a-configured-key")).status).toBe(401);
    const low = await call(app, "POST", READ);
    expect(low.status).toBe(403);
    expect(((await low.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    expect((await call(app, "POST", WRITE)).status).toBe(200);
    expect((await call(app, "POST", ADMIN)).status).toBe(200);
    expect((await call(app, "DELETE", WRITE)).status).toBe(403);
    expect((await call(app, "DELETE", ADMIN)).status).toBe(200);
    // Reads stay public unless API_KEY_REQUIRED.
    expect((await call(app, "GET")).status).toBe(200);
    const text = await registry.metrics();
    expect(text).toMatch(/tickerplant_gateway_auth_failures_total\{reason="missing"\} 1/);
    expect(text).toMatch(/tickerplant_gateway_auth_failures_total\{reason="invalid"\} 1/);
    expect(text).toMatch(/tickerplant_gateway_auth_failures_total\{reason="forbidden"\} 2/);
  });

  test("API_KEY_REQUIRED: reads need a key too", async () => {
    const { access } = accessFor({ keyRequired: true });
    const app = appWith(access);
    expect((await call(app, "GET")).status).toBe(401);
    expect((await call(app, "GET", READ)).status).toBe(200);
  });
});

describe("rate limits", () => {
  test("token bucket: bursts of `burst`, then one per 1/rate s, with Retry-After", () => {
    let now = 0;
    const limiter = new RateLimiter(2, 4, () => now);
    for (let i = 0; i < 4; i++) expect(limiter.take("a").ok).toBe(true);
    const refused = limiter.take("a");
    expect(refused).toEqual({ ok: false, retryAfterS: 1 });
    expect(limiter.take("b").ok).toBe(true); // other clients have their own bucket
    now += 500;
    expect(limiter.take("a").ok).toBe(true);
    expect(limiter.take("a").ok).toBe(false);
    now += 60_000;
    limiter.take("c"); // sweeps idle buckets
    expect(limiter.tracked).toBe(1);
  });

  test("per IP and per key: 429 with Retry-After, counted", async () => {
    const { access, registry } = accessFor({ ratePerIp: 1, ratePerKey: 2, trustProxy: true });
    const app = appWith(access);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(app, "GET", undefined, "10.0.0.1")).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await call(app, "GET", undefined, "10.0.0.1");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    expect((await call(app, "GET", undefined, "10.0.0.2")).status).toBe(200); // another address
    // A key has its own, larger budget wherever it comes from.
    const keyed = [];
    for (let i = 0; i < 5; i++) keyed.push((await call(app, "GET", READ, `10.0.1.${i}`)).status);
    expect(keyed).toEqual([200, 200, 200, 200, 429]);
    const text = await registry.metrics();
    expect(text).toMatch(/tickerplant_gateway_rate_limited_total\{scope="ip",kind="request"\} 2/);
    expect(text).toMatch(/tickerplant_gateway_rate_limited_total\{scope="key",kind="request"\} 1/);
  });
});

describe("CORS", () => {
  const req = (origin?: string) =>
    new Request("http://localhost/api/v1/exchanges", { headers: origin ? { origin } : {} });

  test("* allows any origin; a list echoes only listed origins; none sends nothing", () => {
    expect(new CorsPolicy(["*"]).headers(req("https://x.example"))).toEqual({
      "access-control-allow-origin": "*",
    });
    const listed = new CorsPolicy(["https://app.example"]);
    expect(listed.headers(req("https://app.example"))["access-control-allow-origin"]).toBe(
      "https://app.example",
    );
    expect(listed.headers(req("https://evil.example"))["access-control-allow-origin"]).toBeUndefined();
    expect(new CorsPolicy(["none"]).headers(req("https://app.example"))).toEqual({});
  });

  test("preflight answers 204 with methods and headers for an allowed origin only", () => {
    const policy = new CorsPolicy(["https://app.example"]);
    const ok = policy.preflight(req("https://app.example"));
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-headers")).toContain("x-api-key");
    expect(
      policy.preflight(req("https://evil.example")).headers.get("access-control-allow-methods"),
    ).toBeNull();
  });
});
