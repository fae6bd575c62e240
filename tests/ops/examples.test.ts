/** The examples in examples/ run against the platform's components. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { headers as natsHeaders } from "@nats-io/transport-node";
import { EVENTS_HEADER, EVENTS_VERSION, encodeEvents } from "@tickerplant/core";
import { connectNats, createLogger, type Nats, provisionStreams } from "@tickerplant/runtime";
import { REPO_ROOT } from "@tickerplant/testkit";
import postgres from "postgres";
import { startTestGateway, type TestGateway } from "../../apps/gateway/test/helpers.ts";
import { prepareDatabase } from "../../packages/db/src/index.ts";

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";
const log = createLogger({ service: "examples-test", level: "error" });
const EX = `exm${Date.now().toString(36)}`;

let nats: Nats;
beforeAll(async () => {
  nats = await connectNats(NATS_URL, "examples-test", log);
  await provisionStreams(nats.jsm, { replicas: 1, tradesRetentionDays: 1 }, log);
});
afterAll(async () => {
  await nats?.close();
});

/** Collects a process stream's lines in the background; resolves when `until` holds or time is up. */
async function readLines(
  stream: ReadableStream<Uint8Array>,
  until: (lines: string[]) => boolean,
  timeoutMs = 30_000,
) {
  const lines: string[] = [];
  void (async () => {
    let buf = "";
    for await (const chunk of stream) {
      buf += new TextDecoder().decode(chunk);
      const parts = buf.split("\n");
      buf = parts.pop() ?? "";
      lines.push(...parts.filter(Boolean));
    }
  })();
  const deadline = Date.now() + timeoutMs;
  while (!until(lines) && Date.now() < deadline) await Bun.sleep(100);
  return lines;
}

describe("examples", () => {
  test("nats-subscriber.ts prints the trades published on JetStream", async () => {
    const proc = Bun.spawn(["bun", join(REPO_ROOT, "examples/nats-subscriber.ts"), `md.trade.${EX}.>`, "3"], {
      env: { ...process.env, NATS_URL },
      stdout: "pipe",
      stderr: "pipe",
    });
    // The consumer starts at "new": publish until three events arrive, each message an event batch
    // of two trades (Tp-Events: 1, NDJSON) as the ingestor publishes them.
    let i = 0;
    const trade = (n: number) =>
      JSON.stringify({
        type: "trade",
        exchange: EX,
        market: "BTC-USDT",
        symbol: "BTCUSDT",
        ts: n,
        recvTs: n,
        id: String(n),
        price: 100 + n,
        amount: 1,
        side: "buy",
      });
    const publisher = setInterval(() => {
      i += 2;
      const headers = natsHeaders();
      headers.set(EVENTS_HEADER, EVENTS_VERSION);
      void nats.js.publish(`md.trade.${EX}.BTC-USDT`, encodeEvents([trade(i - 1), trade(i)]), { headers });
    }, 200);
    const lines = await readLines(proc.stdout, (l) => l.length >= 4);
    clearInterval(publisher);
    await proc.exited;
    expect(lines.length).toBe(4);
    // Two events of one message: the same stream sequence, consecutive ids.
    const [a, b] = lines.map((l) => JSON.parse(l));
    expect(a.seq).toBe(b.seq);
    expect(Number(b.id)).toBe(Number(a.id) + 1);
    for (const l of lines)
      expect(JSON.parse(l)).toMatchObject({ type: "trade", exchange: EX, seq: expect.any(Number) });
  }, 60_000);

  describe("ws-client.ts", () => {
    let g: TestGateway;
    beforeAll(async () => {
      g = await startTestGateway();
    });
    afterAll(async () => {
      await g?.close();
    });

    test("subscribes and is answered by the gateway", async () => {
      const proc = Bun.spawn(["bun", join(REPO_ROOT, "examples/ws-client.ts"), `trade:${g.exchange}:*`], {
        env: { ...process.env, GATEWAY_WS: g.wsUrl },
        stdout: "pipe",
        stderr: "pipe",
      });
      const lines = await readLines(proc.stderr, (l) => l.some((x) => x.startsWith("subscribed:")));
      proc.kill();
      expect(lines).toContain(`subscribed: trade:${g.exchange}:*`);
    }, 60_000);
  });

  test("queries.sql runs on the platform's schema", async () => {
    const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
    try {
      await prepareDatabase(sql, log);
      const statements = readFileSync(join(REPO_ROOT, "examples/queries.sql"), "utf8")
        .replace(/--.*$/gm, "")
        .split(";")
        .map((s) => s.trim())
        .filter(Boolean);
      expect(statements.length).toBe(4);
      for (const s of statements) await sql.unsafe(s);
    } finally {
      await sql.end();
    }
  }, 60_000);
});
