import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { startTestGateway, type TestGateway, uniqueMarket } from "./helpers.ts";

let g: TestGateway;

beforeAll(async () => {
  g = await startTestGateway({ WS_MAX_BUFFERED_BYTES: "65536" });
});

afterAll(async () => {
  await g?.close();
});

/** A masked client text frame (RFC 6455), for a raw socket that can stop reading. */
function frame(text: string): Buffer {
  const data = Buffer.from(text);
  const mask = Buffer.from([1, 2, 3, 4]);
  const len = data.length;
  const head =
    len < 126 ? Buffer.from([0x81, 0x80 | len]) : Buffer.from([0x81, 0x80 | 126, len >> 8, len & 0xff]);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = data[i]! ^ mask[i % 4]!;
  return Buffer.concat([head, mask, body]);
}

function waitForText(socket: Socket, needle: string, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no "${needle}" within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString("latin1")).slice(-4096);
      if (seen.includes(needle)) {
        clearTimeout(timer);
        socket.off("data", onData);
        resolve();
      }
    };
    socket.on("data", onData);
  });
}

async function disconnects(): Promise<number> {
  const text = await (await fetch(`${g.base}/metrics`)).text();
  const m = /tickerplant_gateway_ws_disconnects_total\{reason="slow_consumer"[^}]*\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

test("a client that stops reading a trade channel is disconnected as a slow consumer", async () => {
  const market = uniqueMarket();
  const subject = `md.trade.${g.exchange}.${market}`;
  const socket = connect(g.port, "127.0.0.1");
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  const upgraded = waitForText(socket, "\r\n\r\n");
  socket.write(
    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  );
  await upgraded;
  const acked = waitForText(socket, '"subscribed"');
  socket.write(
    frame(JSON.stringify({ op: "subscribe", channels: [`trade:${g.exchange}:${market}`], id: 1 })),
  );
  await acked;
  socket.pause(); // stop reading: the kernel buffers fill, then the gateway's send buffer grows

  const before = await disconnects();
  const pad = "x".repeat(256 * 1024);
  try {
    for (let i = 0; i < 80 && (await disconnects()) === before; i++) {
      await g.nats.js.publish(subject, JSON.stringify({ type: "trade", id: String(i), pad }));
    }
    expect(await disconnects()).toBe(before + 1);
    // Reading again, the client finds a close frame (1008 = 0x03f0) with the reason after the queued data.
    const closeFrame = waitForText(socket, "\x03\xf0slow consumer", 5000);
    socket.resume();
    await closeFrame;
  } finally {
    socket.destroy();
    await g.nats.jsm.streams.purge("MD_TRADES", { filter: subject });
  }
});
