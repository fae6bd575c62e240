/**
 * The fan-out benchmark's baseline (bench/fanout.ts): a bare Bun WebSocket server that takes the
 * same NATS messages as the gateway (core subscriptions on the same subjects, while it has
 * clients) and fans each event out with Bun's topic `server.publish`, one frame per event in the
 * gateway's data format. No validation, replay, ordering, backpressure policy or metrics: what
 * Bun and nats.js alone can move.
 *
 *   bun bench/lib/bare-fanout-server.ts <nats-url> <port>
 */
import { connect, type Subscription } from "@nats-io/transport-node";
import { decodeEvents, EVENTS_HEADER } from "@tickerplant/core";

const [natsUrl, portArg] = process.argv.slice(2);
const nc = await connect({ servers: natsUrl!, noAsyncTraces: true });

/** Channel patterns the bench's clients use → NATS subject filters. */
const TOPICS: Record<string, string> = {
  "trade:binance:*": "md.trade.binance.*",
  "ticker:*:*": "md.ticker.*.*",
};
let clients = 0;
let subs: Subscription[] = [];
let seq = 0;

function listen(): void {
  subs = Object.entries(TOPICS).map(([topic, subject]) =>
    nc.subscribe(subject, {
      callback: (_err, msg) => {
        const [, type, exchange, market] = msg.subject.split(".");
        const channel = `${type}:${exchange}:${market}`;
        for (const payload of decodeEvents(msg.data, msg.headers?.get(EVENTS_HEADER) || undefined))
          server.publish(topic, `{"channel":"${channel}","seq":${++seq},"data":${payload}}`);
      },
    }),
  );
}

const server = Bun.serve({
  port: Number(portArg),
  hostname: "127.0.0.1",
  fetch(req, srv) {
    if (srv.upgrade(req)) return;
    return new Response("websocket only", { status: 426 });
  },
  websocket: {
    open() {
      if (clients++ === 0) listen();
    },
    message(ws, message) {
      const req = JSON.parse(String(message)) as { channels: string[]; id?: number };
      for (const c of req.channels) ws.subscribe(c);
      ws.send(JSON.stringify({ type: "subscribed", channels: req.channels, id: req.id }));
    },
    close() {
      if (--clients === 0) {
        for (const s of subs) s.unsubscribe();
        subs = [];
      }
    },
  },
});
process.send?.({ type: "listening", port: server.port });
