import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, type TestGateway } from "./helpers.ts";

const ADMIN = "admin-secret-abcdef-0123456789";
const WRITER = "writer-secret-abcdef-0123456789";
const DB_PASSWORD = "db-pa55word-never-shown";
const REDIS_PASSWORD = "redis-pa55word-never-shown";

/** The gateway as a production deployment runs it, with credentials in every URL. */
let g: TestGateway;
beforeAll(async () => {
  g = await startTestGateway({
    NODE_ENV: "production",
    ADMIN_API_KEYS: ADMIN,
    API_KEYS: `ci:write:${WRITER}`,
    HTTP_MAX_BODY_BYTES: "2048",
    WS_MAX_CLIENTS_PER_IP: "2",
    WS_MAX_CLIENTS_PER_KEY: "3",
  });
});
afterAll(() => g.close());

describe("GET /api/v1/config", () => {
  test("shows the effective configuration with every secret redacted", async () => {
    const secretsInUrls = await startTestGateway({
      ADMIN_API_KEYS: ADMIN,
      API_KEYS: `ci:write:${WRITER}`,
      // Credentials in URLs (the gateway does not connect with these: the test helper does).
      NATS_URL: "nats://natsuser:nats-token-never-shown@127.0.0.1:4222",
    });
    try {
      const res = await fetch(`${secretsInUrls.base}/api/v1/config`);
      expect(res.status).toBe(200);
      const text = await res.text();
      for (const secret of [ADMIN, WRITER, "nats-token-never-shown", "natsuser"])
        expect(text).not.toContain(secret);
      const { data } = JSON.parse(text) as { data: Record<string, unknown> };
      expect(data.HTTP_MAX_BODY_BYTES).toBe(65536);
      expect(data.ADMIN_API_KEYS).toEqual(["[redacted]"]);
      expect(data.API_KEYS).toEqual(["ci:write:[redacted]"]);
      expect(data.NATS_URL).toBe("nats://[redacted]@127.0.0.1:4222");
      expect(data.CORS_ORIGIN).toEqual(["*"]);
      expect(data.API_KEY_REQUIRED).toBe(false); // not a secret, though its name says "key"
    } finally {
      await secretsInUrls.close();
    }
  });

  test("a database URL with a password is redacted", async () => {
    const { redactedConfig } = await import("../src/routes/config.ts");
    const { loadGatewayConfig } = await import("../src/config.ts");
    const config = loadGatewayConfig({
      HTTP_PORT: "0",
      DATABASE_URL: `postgres://tickerplant:${DB_PASSWORD}@db:5432/tickerplant?sslmode=require`,
      REDIS_URL: `redis://:${REDIS_PASSWORD}@redis:6379/0`,
      ADMIN_API_KEYS: ADMIN,
    });
    const text = JSON.stringify(redactedConfig(config));
    for (const secret of [DB_PASSWORD, REDIS_PASSWORD, ADMIN]) expect(text).not.toContain(secret);
    expect(text).toContain("@db:5432/tickerplant");
  });
});

describe("production defaults", () => {
  test("CORS is off unless origins are configured", async () => {
    const res = await fetch(`${g.base}/api/v1/exchanges`, { headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const listed = await startTestGateway({ NODE_ENV: "production", CORS_ORIGIN: "https://app.example" });
    try {
      const ok = await fetch(`${listed.base}/api/v1/exchanges`, {
        headers: { origin: "https://app.example" },
      });
      expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example");
      const pre = await fetch(`${listed.base}/api/v1/jobs`, {
        method: "OPTIONS",
        headers: { origin: "https://app.example", "access-control-request-method": "POST" },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get("access-control-allow-headers")).toContain("x-api-key");
    } finally {
      await listed.close();
    }
  });
});

describe("payload limits", () => {
  test("a request body over HTTP_MAX_BODY_BYTES is refused with 413", async () => {
    const res = await fetch(`${g.base}/api/v1/admin/subscriptions/${g.exchange}/BIG-USDT`, {
      method: "PUT",
      headers: { "content-type": "application/json", "x-api-key": ADMIN },
      body: JSON.stringify({ channels: ["trade"], pad: "x".repeat(3000) }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
  });
});

describe("every write route needs a key", () => {
  test("each POST/PUT/PATCH/DELETE route in the OpenAPI document answers 401 without a key and 403 with a read key", async () => {
    const reader = await startTestGateway({ API_KEYS: `ro:read:${"r".repeat(20)}`, ADMIN_API_KEYS: ADMIN });
    try {
      const doc = (await (await fetch(`${reader.base}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const writes = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((m) => ["post", "put", "patch", "delete"].includes(m))
          .map((m) => ({ method: m.toUpperCase(), path: path.replace(/\{[^}]+\}|:[a-zA-Z]+/g, "x") })),
      );
      expect(writes.length).toBeGreaterThan(0);
      for (const w of writes) {
        const url = `${reader.base}${w.path}`;
        const init = { method: w.method, headers: { "content-type": "application/json" }, body: "{}" };
        const none = await fetch(url, init);
        expect({ ...w, status: none.status }).toEqual({ ...w, status: 401 });
        const low = await fetch(url, { ...init, headers: { ...init.headers, "x-api-key": "r".repeat(20) } });
        expect({ ...w, status: low.status }).toEqual({ ...w, status: 403 });
      }
    } finally {
      await reader.close();
    }
  });
});

describe("logs never contain secrets", () => {
  test("a gateway process failing to start with credentials everywhere prints none of them", async () => {
    const secrets = ["natspass-0123456789", "pgpass-0123456789", "redispass-0123456789", ADMIN, WRITER];
    const proc = Bun.spawn(["bun", `${import.meta.dir}/../src/main.ts`], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        HTTP_PORT: "0",
        LOG_LEVEL: "debug",
        NATS_URL: `nats://natsuser:${secrets[0]}@127.0.0.1:1`,
        DATABASE_URL: `postgres://pguser:${secrets[1]}@127.0.0.1:1/x`,
        REDIS_URL: `redis://:${secrets[2]}@127.0.0.1:1/0`,
        ADMIN_API_KEYS: ADMIN,
        API_KEYS: `ci:write:${WRITER}`,
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    const timer = setTimeout(() => proc.kill(), 60_000);
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(out).toContain("failed to start");
    // The gateway logs its configuration at start: every URL and key in it shows as [redacted].
    const logged = out.split("\n").find((l) => l.includes("gateway configuration")) ?? "";
    expect(logged).toContain("nats://[redacted]@127.0.0.1:1");
    expect(logged).toContain("postgres://[redacted]@127.0.0.1:1/x");
    for (const s of secrets) {
      expect(out).not.toContain(s);
      expect(err).not.toContain(s);
    }
  }, 90_000);
});

describe("admin role", () => {
  test("a write key cannot use the admin API; an admin key can", async () => {
    const url = `${g.base}/api/v1/admin/subscriptions`;
    expect((await fetch(url, { headers: { "x-api-key": WRITER } })).status).toBe(403);
    expect((await fetch(url, { headers: { "x-api-key": ADMIN } })).status).toBe(200);
    expect((await fetch(url)).status).toBe(401);
  });
});

async function opened(url: string): Promise<{ ws: WebSocket; ok: boolean; code?: number }> {
  const ws = new WebSocket(url);
  return await new Promise((resolve) => {
    ws.addEventListener("open", () => resolve({ ws, ok: true }));
    ws.addEventListener("error", () => resolve({ ws, ok: false }));
    ws.addEventListener("close", (ev) => resolve({ ws, ok: false, code: ev.code }));
  });
}

describe("WebSocket connection limits", () => {
  test("per address without a key, per key with one; refused upgrades are 429 with Retry-After", async () => {
    const mine: WebSocket[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const c = await opened(g.wsUrl);
        expect(c.ok).toBe(true);
        mine.push(c.ws);
      }
      const third = await opened(g.wsUrl);
      expect(third.ok).toBe(false);
      const upgrade = await fetch(`${g.base}/ws`, {
        headers: {
          connection: "Upgrade",
          upgrade: "websocket",
          "sec-websocket-version": "13",
          "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
      });
      expect(upgrade.status).toBe(429);
      expect(upgrade.headers.get("retry-after")).toBe("5");
      // A keyed client counts against its key (3), not the address.
      for (let i = 0; i < 3; i++) {
        const c = await opened(`${g.wsUrl}?api_key=${WRITER}`);
        expect(c.ok).toBe(true);
        mine.push(c.ws);
      }
      expect((await opened(`${g.wsUrl}?api_key=${WRITER}`)).ok).toBe(false);
      // Closing frees the slot.
      const first = mine.shift() as WebSocket;
      const gone = new Promise((r) => first.addEventListener("close", r));
      first.close();
      await gone;
      const again = await waitForOpen(g.wsUrl);
      mine.push(again);
      const metrics = await (await fetch(`${g.base}/metrics`)).text();
      expect(metrics).toMatch(
        /tickerplant_gateway_rate_limited_total\{scope="ip",kind="connection"[^}]*\} [1-9]/,
      );
      expect(metrics).toMatch(
        /tickerplant_gateway_rate_limited_total\{scope="key",kind="connection"[^}]*\} [1-9]/,
      );
    } finally {
      for (const ws of mine) ws.close();
    }
  });
});

/** The server releases a slot in its close handler, just after the client sees the close. */
async function waitForOpen(url: string): Promise<WebSocket> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const c = await opened(url);
    if (c.ok) return c.ws;
    if (Date.now() > deadline) throw new Error("no WebSocket slot was freed");
    await Bun.sleep(50);
  }
}
