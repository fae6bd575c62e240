import { describe, expect, test } from "bun:test";
import { createLogger } from "@tickerplant/runtime";
import { Registry } from "prom-client";
import { createGatewayMetrics } from "../src/metrics.ts";
import type { ClientSocket } from "../src/ws/outbox.ts";
import { type ProtocolError, parseRequest } from "../src/ws/protocol.ts";
import { MessageRateLimit } from "../src/ws/rate-limit.ts";
import { ClientSession, type SessionDeps } from "../src/ws/session.ts";
import { delivery } from "./delivery.ts";

/** A socket whose send result and buffered amount the test controls (Bun's real ones need a slow peer). */
class ControlledSocket implements ClientSocket {
  sent: string[] = [];
  result = 100;
  buffered = 0;
  closedWith: { code?: number; reason?: string } | undefined;
  send(text: string): number {
    if (this.closedWith) return 0;
    if (this.result !== 0) this.sent.push(text);
    return this.result;
  }
  getBufferedAmount(): number {
    return this.buffered;
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
  }
  terminate(): void {}
}

function setup(maxBufferedBytes = 1_000_000) {
  const registry = new Registry();
  const metrics = createGatewayMetrics(registry);
  const socket = new ControlledSocket();
  // deliver/drain never touch NATS or Redis; the session is driven directly.
  const deps = {
    metrics,
    log: createLogger({ service: "test", level: "error", write: () => {} }),
    limits: { maxMessageBytes: 1024, maxSubscriptions: 10, rateLimit: 10, maxBufferedBytes },
  } as unknown as SessionDeps;
  const session = new ClientSession("s1", socket, deps);
  return { session, socket, registry };
}

const payload = (n: number) => JSON.stringify({ n });
/** Deliveries go out corked once per event-loop turn (a burst): wait for the end of this one. */
const endOfBurst = () => new Promise<void>((resolve) => setImmediate(resolve));
const seqsOf = (sent: string[]) => sent.map((s) => JSON.parse(s).seq);

describe("backpressure", () => {
  test("quote channels are conflated to the newest value per channel until the socket drains", async () => {
    const { session, socket, registry } = setup();
    socket.result = -1; // enqueued, but the socket is backpressured
    session.deliver(delivery({ channel: "ticker:x:A-B", type: "ticker", seq: 1, payload: payload(1) }));
    await endOfBurst();
    socket.result = 100;
    session.deliver(delivery({ channel: "ticker:x:A-B", type: "ticker", seq: 2, payload: payload(2) }));
    session.deliver(delivery({ channel: "ticker:x:A-B", type: "ticker", seq: 3, payload: payload(3) }));
    session.deliver(delivery({ channel: "bbo:x:C-D", type: "bbo", seq: 4, payload: payload(4) }));
    await endOfBurst();
    expect(seqsOf(socket.sent)).toEqual([1]);
    session.onDrain();
    expect(seqsOf(socket.sent)).toEqual([1, 3, 4]);
    expect(await registry.getSingleMetricAsString("tickerplant_gateway_ws_conflated_total")).toContain(
      'type="ticker"} 1',
    );
    // Drained: quotes flow directly again.
    session.deliver(delivery({ channel: "ticker:x:A-B", type: "ticker", seq: 5, payload: payload(5) }));
    await endOfBurst();
    expect(seqsOf(socket.sent)).toEqual([1, 3, 4, 5]);
  });

  test("trades are never dropped: a client whose buffer exceeds the limit is closed as a slow consumer", async () => {
    const { session, socket, registry } = setup(10_000);
    socket.result = -1;
    session.deliver(delivery({ channel: "trade:x:A-B", type: "trade", seq: 1, payload: payload(1) }));
    session.deliver(delivery({ channel: "trade:x:A-B", type: "trade", seq: 2, payload: payload(2) }));
    await endOfBurst();
    expect(seqsOf(socket.sent)).toEqual([1, 2]); // still buffered by the socket, below the limit
    socket.buffered = 9_990;
    session.deliver(delivery({ channel: "trade:x:A-B", type: "trade", seq: 3, payload: payload(3) }));
    expect(socket.closedWith?.code).toBe(1008);
    expect(socket.closedWith?.reason).toContain("slow consumer");
    expect(seqsOf(socket.sent)).toEqual([1, 2]);
    session.deliver(delivery({ channel: "trade:x:A-B", type: "trade", seq: 4, payload: payload(4) }));
    await endOfBurst();
    expect(socket.sent).toHaveLength(2);
    expect(await registry.getSingleMetricAsString("tickerplant_gateway_ws_disconnects_total")).toContain(
      'reason="slow_consumer"} 1',
    );
  });

  test("a trade the socket drops (send = 0) closes the client instead of losing it silently", async () => {
    const { session, socket } = setup();
    socket.result = 0;
    session.deliver(delivery({ channel: "trade:x:A-B", type: "trade", seq: 1, payload: payload(1) }));
    await endOfBurst();
    expect(socket.closedWith?.code).toBe(1008);
  });

  test("each channel's messages are delivered once and in stream order", async () => {
    const { session, socket } = setup();
    for (const seq of [5, 5, 3, 6])
      session.deliver(delivery({ channel: "trade:x:A-B", type: "trade", seq, payload: payload(seq) }));
    session.deliver(delivery({ channel: "trade:x:C-D", type: "trade", seq: 4, payload: payload(4) }));
    await endOfBurst();
    expect(seqsOf(socket.sent)).toEqual([5, 6, 4]);
    expect(JSON.parse(socket.sent[0]!)).toEqual({ channel: "trade:x:A-B", seq: 5, data: { n: 5 } });
  });
});

describe("rate limit", () => {
  test("over the per-second rate is limited; 5x the rate for 2 s is flooding", () => {
    const rl = new MessageRateLimit(10);
    const verdicts = Array.from({ length: 12 }, (_, i) => rl.take(1000 + i));
    expect(verdicts.slice(0, 10).every((v) => v === "ok")).toBe(true);
    expect(verdicts[10]).toBe("limited");
    const later = new MessageRateLimit(10);
    // 10 per second over 3 s stays within the rate.
    expect(Array.from({ length: 30 }, (_, i) => later.take(i * 100 + 1)).every((v) => v === "ok")).toBe(true);
    const flood = new MessageRateLimit(10);
    const v = Array.from({ length: 101 }, (_, i) => flood.take(i * 10));
    expect(v[100]).toBe("flood");
  });
});

describe("protocol", () => {
  test("parses the three ops and since", () => {
    expect(parseRequest({ op: "ping" }, 10)).toEqual({ op: "ping" });
    expect(parseRequest({ op: "subscribe", channels: ["a", "a", "b"], id: "x" }, 10)).toEqual({
      op: "subscribe",
      channels: ["a", "b"],
      id: "x",
    });
    expect(parseRequest({ op: "subscribe", channels: ["a"], since: 42 }, 10)).toMatchObject({
      since: { seq: 42 },
    });
    expect(parseRequest({ op: "subscribe", channels: ["a"], since: "42" }, 10)).toMatchObject({
      since: { seq: 42 },
    });
    expect(
      parseRequest({ op: "subscribe", channels: ["a"], since: "2024-01-01T00:00:00+02:00" }, 10),
    ).toMatchObject({
      since: { time: "2023-12-31T22:00:00.000Z" },
    });
    expect(parseRequest('{"op":"unsubscribe","channels":["a"],"id":3}', 10)).toEqual({
      op: "unsubscribe",
      channels: ["a"],
      id: 3,
    });
  });

  test("rejects bad messages with the right code", () => {
    const code = (m: unknown) => {
      try {
        parseRequest(m, 2);
        return "none";
      } catch (err) {
        return (err as ProtocolError).code;
      }
    };
    expect(code("{oops")).toBe("invalid_json");
    expect(code(42)).toBe("invalid_request");
    expect(code({ op: "nope" })).toBe("unknown_op");
    expect(code({ op: "subscribe" })).toBe("invalid_request");
    expect(code({ op: "subscribe", channels: [1] })).toBe("invalid_request");
    expect(code({ op: "subscribe", channels: ["a", "b", "c"] })).toBe("too_many_subscriptions");
    expect(code({ op: "subscribe", channels: ["a"], since: 0 })).toBe("invalid_since");
    expect(code({ op: "subscribe", channels: ["a"], since: "2024-01-01" })).toBe("invalid_since");
    expect(code({ op: "ping", id: { x: 1 } })).toBe("invalid_request");
  });
});

describe("bursts", () => {
  test("a burst goes out in one corked write, each frame serialized once for every client", async () => {
    const a = setup();
    const b = setup();
    let corks = 0;
    for (const { socket } of [a, b])
      (socket as ClientSocket).cork = (fn: () => void) => {
        corks++;
        fn();
      };
    const burst = [1, 2, 3].map((seq) =>
      delivery({ channel: "trade:x:A-B", type: "trade", seq, payload: payload(seq) }),
    );
    for (const d of burst) {
      a.session.deliver(d);
      b.session.deliver(d);
    }
    expect(a.socket.sent).toEqual([]); // held until the end of the burst
    await endOfBurst();
    expect(corks).toBe(2);
    expect(seqsOf(a.socket.sent)).toEqual([1, 2, 3]);
    expect(b.socket.sent).toEqual(a.socket.sent);
    // The same string object: made once, shared.
    expect(burst.every((d, i) => d.frame === a.socket.sent[i])).toBe(true);
  });
});
