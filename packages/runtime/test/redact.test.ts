import { describe, expect, test } from "bun:test";
import { createLogger } from "../src/logger.ts";
import { redact, redactString } from "../src/redact.ts";

const SECRETS = [
  "hunter2-db-password",
  "redis-secret-pw",
  "nats-token-xyz",
  "api-key-0123456789abcdef",
  "whsec-abc",
];

describe("redaction", () => {
  test("URL credentials and secret query parameters", () => {
    expect(redactString("postgres://app:hunter2-db-password@db:5432/x")).toBe(
      "postgres://[redacted]@db:5432/x",
    );
    expect(redactString("redis://:redis-secret-pw@r:6379/0")).toBe("redis://[redacted]@r:6379/0");
    expect(redactString("GET http://gw/ws?api_key=api-key-0123456789abcdef&x=1")).toBe(
      "GET http://gw/ws?api_key=[redacted]&x=1",
    );
    expect(redactString("plain text, a=b")).toBe("plain text, a=b");
  });

  test("fields with secret names, at any depth, and errors", () => {
    const out = JSON.stringify(
      redact({
        ADMIN_API_KEYS: ["api-key-0123456789abcdef"],
        nested: { password: "hunter2-db-password", webhookSecret: "whsec-abc", ok: 1 },
        err: new Error("connect failed: nats://u:nats-token-xyz@127.0.0.1:4222", {
          cause: new Error("redis://:redis-secret-pw@r:6379"),
        }),
      }),
    );
    for (const s of SECRETS) expect(out).not.toContain(s);
    expect(out).toContain('"ok":1');
  });
});

describe("logs never contain secrets", () => {
  test("message, fields, bound fields and errors are redacted", () => {
    const lines: string[] = [];
    const log = createLogger({ service: "t", level: "debug", write: (l) => lines.push(l) }).child({
      url: "postgres://app:hunter2-db-password@db/x",
    });
    log.info("connecting to nats://u:nats-token-xyz@n:4222", {
      config: {
        REDIS_URL: "redis://:redis-secret-pw@r:6379",
        API_KEYS: ["ci:write:api-key-0123456789abcdef"],
      },
      apiKey: "api-key-0123456789abcdef",
      headers: { authorization: "Bearer whsec-abc" },
    });
    log.error("request failed", { err: new Error("bad key api_key=api-key-0123456789abcdef") });
    const text = lines.join("\n");
    for (const s of SECRETS) expect(text).not.toContain(s);
    expect(text).toContain("[redacted]");
    expect(JSON.parse(lines[0] as string).msg).toBe("connecting to nats://[redacted]@n:4222");
  });
});
