import { describe, expect, test } from "bun:test";
import { isInternalAddress, refusedWebhookTarget } from "../src/alerts/webhook-target.ts";

const closed = { allowPrivate: false, allowedHosts: [] as string[] };
const dns: Record<string, string[]> = {
  "hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"],
  "rebind.example.com": ["93.184.216.34", "10.0.0.7"],
  "metadata.example.com": ["169.254.169.254"],
  "v6-inside.example.com": ["fd12:3456::1"],
};
const resolve = async (host: string) => {
  const a = dns[host];
  if (!a) throw new Error(`ENOTFOUND ${host}`);
  return a;
};

describe("webhook targets", () => {
  test("internal IPv4 and IPv6 ranges are internal; public addresses are not", () => {
    for (const a of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "::1",
      "::",
      "fe80::1",
      "fc00::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
      "not-an-address",
    ])
      expect({ a, internal: isInternalAddress(a) }).toEqual({ a, internal: true });
    for (const a of [
      "93.184.216.34",
      "8.8.8.8",
      "172.32.0.1",
      "100.128.0.1",
      "2606:2800:220:1::1",
      "::ffff:8.8.8.8",
    ])
      expect({ a, internal: isInternalAddress(a) }).toEqual({ a, internal: false });
  });

  test("a public host is allowed; names or literals pointing inside are refused, not retried", async () => {
    expect(await refusedWebhookTarget("https://hooks.example.com/x", closed, resolve)).toBeNull();
    for (const url of [
      "http://127.0.0.1:8080/hook",
      "http://[::1]/hook",
      "http://rebind.example.com/hook", // one internal address among public ones is enough
      "http://metadata.example.com/latest/meta-data",
      "http://v6-inside.example.com/",
      "http://0x7f000001/", // WHATWG URL parsing turns it into 127.0.0.1
    ]) {
      const r = await refusedWebhookTarget(url, closed, resolve);
      expect({ url, retryable: r?.retryable, reason: r?.reason }).toEqual({
        url,
        retryable: false,
        reason: expect.stringMatching(/^refused: .* resolves to internal address/),
      });
    }
  });

  test("a name that does not resolve is retryable; other schemes are refused", async () => {
    expect(await refusedWebhookTarget("http://gone.example.com/", closed, resolve)).toMatchObject({
      retryable: true,
      reason: expect.stringContaining("does not resolve"),
    });
    expect(await refusedWebhookTarget("file:///etc/passwd", closed, resolve)).toMatchObject({
      retryable: false,
    });
  });

  test("the operator can allow private targets, or name hosts", async () => {
    expect(
      await refusedWebhookTarget("http://127.0.0.1/x", { allowPrivate: true, allowedHosts: [] }, resolve),
    ).toBeNull();
    const named = { allowPrivate: false, allowedHosts: ["receiver.internal", "127.0.0.1"] };
    expect(await refusedWebhookTarget("http://receiver.internal/x", named, resolve)).toBeNull();
    expect(await refusedWebhookTarget("http://127.0.0.1:9/x", named, resolve)).toBeNull();
    expect(
      await refusedWebhookTarget("http://localhost:9/x", named, async () => ["127.0.0.1"]),
    ).not.toBeNull();
  });
});
