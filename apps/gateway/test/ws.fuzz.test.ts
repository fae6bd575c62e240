import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fc, fuzzAssertAsync, fuzzRuns, hostileValue } from "@tickerplant/testkit/fuzz";
import { startTestGateway, type TestGateway } from "./helpers.ts";

/**
 * The WebSocket protocol under random ops, channels, ids, `since` values, sizes and encodings:
 * every message gets one reply (subscribed / unsubscribed / pong, or an error with a known code),
 * oversized frames close with 1009, floods close with 1008, connection limits hold, and the
 * gateway keeps serving.
 */

const ERROR_CODES = new Set([
  "invalid_json",
  "invalid_request",
  "unknown_op",
  "invalid_channel",
  "unknown_channel_type",
  "invalid_interval",
  "invalid_since",
  "too_many_subscriptions",
  "message_too_large",
  "rate_limited",
  "unavailable",
]);
const REPLY_TYPES = new Set(["subscribed", "unsubscribed", "pong", "error"]);
const MAX_MESSAGE = 4096;

let g: TestGateway; // protocol fuzz: rate limits out of the way
let limited: TestGateway; // default message rate, small connection limits
beforeAll(async () => {
  g = await startTestGateway({
    WS_RATE_LIMIT: "100000",
    WS_MAX_MESSAGE_BYTES: String(MAX_MESSAGE),
    WS_MAX_SUBSCRIPTIONS: "20",
    RATE_LIMIT_PER_IP: "0",
  });
  limited = await startTestGateway({
    WS_MAX_CLIENTS: "8",
    WS_MAX_CLIENTS_PER_IP: "5",
    RATE_LIMIT_PER_IP: "0",
  });
});
afterAll(async () => {
  await g.close();
  await limited.close();
});

type Frame = Record<string, unknown>;

/** A raw client: queued frames, the close event, and waiting for the next reply. */
class Client {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  private wake: () => void = () => {};
  readonly ws: WebSocket;
  readonly opened: Promise<boolean>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.binaryType = "arraybuffer";
    this.opened = new Promise((resolve) => {
      this.ws.addEventListener("open", () => resolve(true));
      this.ws.addEventListener("close", () => resolve(false));
    });
    this.ws.addEventListener("message", (ev) => {
      this.frames.push(JSON.parse(String(ev.data)) as Frame);
      this.wake();
    });
    this.ws.addEventListener("close", (ev) => {
      this.closed = { code: ev.code, reason: ev.reason };
      this.wake();
    });
  }

  /** The next reply (data frames are skipped), or null when the socket closed first. */
  async reply(timeoutMs = 10_000): Promise<Frame | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex((f) => typeof f.type === "string" && REPLY_TYPES.has(f.type));
      if (i >= 0) return this.frames.splice(i, 1)[0] as Frame;
      this.frames.length = 0;
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no reply within the timeout");
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }

  async waitClosed(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("the socket did not close");
      await Bun.sleep(20);
    }
    return this.closed;
  }
}

const TYPES = [
  "trade",
  "bbo",
  "ticker",
  "candle",
  "book",
  "deriv",
  "liquidation",
  "status",
  "stats",
  "alert",
  "nope",
  "",
];

function channel(ex: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc
      .tuple(
        fc.constantFrom(...TYPES),
        fc.constantFrom(ex, "", "UNKNOWNEX", ex.toUpperCase()),
        fc.constantFrom("BTC-USDT", "BTC-USDT-PERP", "*", "btc-usdt", "", "X".repeat(100)),
        fc.option(fc.constantFrom("1m", "1h", "*", "7x", "")),
      )
      .map(([t, e, m, i]) => [t, e, m, ...(i === null ? [] : [i])].join(":")),
    // Keyed analytics channels: composite:<ASSET>, spread:<ASSET>, portfolio:<id>.
    fc
      .tuple(
        fc.constantFrom("composite", "spread", "portfolio"),
        fc.constantFrom("BTC", "ETH", "btc", "", "1", "00000000-0000-0000-0000-000000000000", "B".repeat(60)),
      )
      .map(([t, k]) => `${t}:${k}`),
    fc.string({ maxLength: 40 }).filter((s) => !s.includes("*")),
    hostileValue.filter((v) => typeof v !== "string" || !v.includes("*")),
  ) as fc.Arbitrary<string>;
}

function message(ex: string): fc.Arbitrary<string | Uint8Array> {
  const since = fc.oneof(
    fc.constant(undefined),
    fc.constant(undefined),
    hostileValue,
    fc.constantFrom("2024-01-01T00:00:00Z", "2024-01-01T00:00:00", "2024-13-45T99:99:99Z", "1", "0", "-1"),
    fc.integer({ min: 1_000_000_000, max: 2 ** 53 }),
  );
  const op = fc
    .record(
      {
        op: fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom("subscribe", "subscribe", "unsubscribe", "ping") },
          { weight: 1, arbitrary: fc.constantFrom("SUBSCRIBE", "", "ping ") },
          { weight: 1, arbitrary: hostileValue },
        ),
        channels: fc.oneof(
          { weight: 5, arbitrary: fc.array(channel(ex), { minLength: 1, maxLength: 25 }) },
          {
            weight: 5,
            arbitrary: fc.array(
              fc
                .tuple(
                  fc.constantFrom("trade", "bbo", "ticker", "book", "deriv", "stats", "status"),
                  fc.constantFrom("BTC-USDT", "ETH-USDT", "*"),
                )
                .map(([t, m]) => `${t}:${ex}:${m}`),
              { minLength: 1, maxLength: 5 },
            ),
          },
          { weight: 1, arbitrary: hostileValue },
        ),
        id: fc.oneof(
          { weight: 6, arbitrary: fc.integer() },
          { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
          { weight: 1, arbitrary: hostileValue },
        ),
        since,
        extra: hostileValue,
      },
      { requiredKeys: ["op", "channels"] },
    )
    .map((o) => JSON.stringify(o));
  return fc.oneof(
    { weight: 8, arbitrary: op },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 100 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? "null") },
    { weight: 1, arbitrary: op.map((s) => new TextEncoder().encode(s)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: MAX_MESSAGE + 1, max: MAX_MESSAGE * 3 })
        .map((n) => JSON.stringify({ op: "ping", pad: "x".repeat(n) })),
    },
  );
}

describe("WebSocket protocol fuzz", () => {
  test("every message gets one clear reply; the connection stays open", async () => {
    let client = new Client(g.wsUrl);
    expect(await client.opened).toBe(true);
    const codes: Record<string, number> = {};
    try {
      await fuzzAssertAsync(
        "gateway WS messages",
        message(g.exchange),
        async (msg) => {
          if (client.closed) {
            client = new Client(g.wsUrl);
            expect(await client.opened).toBe(true);
          }
          client.ws.send(msg);
          const r = await client.reply();
          expect(r).not.toBeNull(); // the gateway never hangs up on a malformed message
          const frame = r as Frame;
          const label = frame.type === "error" ? String(frame.code) : String(frame.type);
          codes[label] = (codes[label] ?? 0) + 1;
          if (frame.type === "error") {
            expect(ERROR_CODES.has(String(frame.code))).toBe(true);
            expect(typeof frame.message).toBe("string");
          }
        },
        fuzzRuns(600),
      );
    } finally {
      client.ws.close();
    }
    console.log("WS fuzz replies", JSON.stringify(codes));
    expect(g.logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  }, 600_000);

  test("frames past the hard cap close with 1009; the gateway keeps serving", async () => {
    await fuzzAssertAsync(
      "gateway WS oversized frames",
      fc.tuple(fc.integer({ min: 70_000, max: 400_000 }), fc.boolean()),
      async ([size, binary]) => {
        const c = new Client(g.wsUrl);
        expect(await c.opened).toBe(true);
        const payload = "y".repeat(size);
        c.ws.send(binary ? new TextEncoder().encode(payload) : payload);
        expect((await c.waitClosed()).code).toBe(1009);
      },
      fuzzRuns(10),
    );
    const after = new Client(g.wsUrl);
    expect(await after.opened).toBe(true);
    after.ws.send(JSON.stringify({ op: "ping", id: 1 }));
    expect(await after.reply()).toEqual({ type: "pong", id: 1 });
    after.ws.close();
  }, 120_000);
});

describe("WebSocket floods", () => {
  test("message floods: rate_limited errors, then a 1008 close past 5× the rate for 2 s", async () => {
    await fuzzAssertAsync(
      "gateway WS message floods",
      fc.tuple(fc.integer({ min: 250, max: 1500 }), message(limited.exchange)),
      async ([count, msg]) => {
        const c = new Client(limited.wsUrl);
        expect(await c.opened).toBe(true);
        for (let i = 0; i < count && !c.closed; i++) c.ws.send(msg);
        const closed = await c.waitClosed(15_000);
        expect(closed.code).toBe(1008);
        expect(c.frames.some((f) => f.code === "rate_limited") || closed.reason.includes("rate")).toBe(true);
      },
      fuzzRuns(8),
    );
  }, 300_000);

  test("connection floods: the per-address and total limits hold, and slots come back", async () => {
    await fuzzAssertAsync(
      "gateway WS connection floods",
      fc.integer({ min: 6, max: 20 }),
      async (n) => {
        const clients = Array.from({ length: n }, () => new Client(limited.wsUrl));
        const opened = await Promise.all(clients.map((c) => c.opened));
        // Refusals happen at the upgrade (429/503) or, for a race, right after it (1008).
        await Bun.sleep(100);
        const open = clients.filter((c, i) => opened[i] && !c.closed);
        expect(open.length).toBe(5);
        for (const c of clients) c.ws.close();
        await Promise.all(clients.map((c) => c.waitClosed()));
        // The server frees slots in its close handler; wait until a new client gets in.
        const deadline = Date.now() + 10_000;
        for (;;) {
          const probe = new Client(limited.wsUrl);
          if (await probe.opened) {
            probe.ws.close();
            await probe.waitClosed();
            break;
          }
          if (Date.now() > deadline) throw new Error("slots were not released");
          await Bun.sleep(50);
        }
      },
      fuzzRuns(8),
    );
    const metrics = await (await fetch(`${limited.base}/metrics`)).text();
    expect(metrics).toMatch(
      /tickerplant_gateway_rate_limited_total\{scope="ip",kind="connection"[^}]*\} [1-9]/,
    );
  }, 300_000);
});
