import { describe, expect, test } from "bun:test";
import { startSimulator } from "../src/index.ts";
import { rawConnect } from "./helpers/raw-ws.ts";
import { connect } from "./helpers/ws-client.ts";

describe("keepalive and connection lifetime", () => {
  test("the server pings; a client that pongs stays connected", async () => {
    const s = await startSimulator({ tradesPerSecond: 0, pingIntervalMs: 200, pongTimeoutMs: 300 });
    try {
      const c = await connect(`${s.wsUrl}/ws/btcusdt@trade`);
      await c.waitFor(() => c.pings >= 3, 2000, "three pings");
      expect(c.isClosed()).toBe(false);
      const stats = s.sim.stats() as { pingsSent: number; pongsReceived: number };
      expect(stats.pingsSent).toBeGreaterThanOrEqual(3);
      expect(stats.pongsReceived).toBeGreaterThanOrEqual(2);
      c.close();
    } finally {
      await s.stop();
    }
  });

  test("a client that never pongs is closed after the pong timeout", async () => {
    const s = await startSimulator({ tradesPerSecond: 0, pingIntervalMs: 100, pongTimeoutMs: 300 });
    try {
      const raw = await rawConnect("127.0.0.1", s.port, "/ws/btcusdt@trade");
      const t0 = Date.now();
      await raw.closed;
      const elapsed = Date.now() - t0;
      expect(elapsed).toBeGreaterThanOrEqual(350);
      expect(elapsed).toBeLessThan(1500);
      expect(raw.opcodes).toContain(0x9); // ping
      expect(raw.opcodes).toContain(0x8); // close
      expect((s.sim.stats() as { closedBy: { pongTimeout: number } }).closedBy.pongTimeout).toBe(1);
    } finally {
      await s.stop();
    }
  });

  test("connections are closed at maxConnectionAgeMs, optionally after serverShutdown", async () => {
    const s = await startSimulator({ tradesPerSecond: 0, maxConnectionAgeMs: 400, sendShutdownNotice: true });
    try {
      const t0 = Date.now();
      const c = await connect(`${s.wsUrl}/ws/btcusdt@trade`);
      const closed = await c.closed;
      const elapsed = Date.now() - t0;
      expect(elapsed).toBeGreaterThanOrEqual(380);
      expect(elapsed).toBeLessThan(1500);
      expect(closed.code).toBe(1000);
      expect(c.json()).toEqual([{ e: "serverShutdown", E: expect.any(Number) }]);
    } finally {
      await s.stop();
    }
  });
});
