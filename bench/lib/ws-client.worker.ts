/**
 * The benchmark's WebSocket client on the gateway, in its own thread so that the simulator's work
 * in the main thread does not delay (and so inflate) the receive timestamps.
 *
 * Per market it checks that trade ids arrive exactly once and in order (gaps, duplicates); per
 * step it keeps three latencies per trade:
 *   e2e    = client receive time − trade `ts` (the simulator stamps `ts` in the tick that sends it)
 *   ingest = `recvTs` − `ts` (simulator → ingestor socket)
 *   fanout = client receive time − `recvTs` (ingestor → JetStream → gateway → client)
 */
import { type Percentiles, percentiles } from "./stats.ts";

declare const self: Worker;

export type ToWorker =
  | {
      cmd: "connect";
      url: string;
      channels: string[];
      markets: string[];
      /** The last trade id already out per market (a running platform's); default 0. */
      startIds?: Record<string, number>;
    }
  | { cmd: "step"; step: number }
  | { cmd: "counts"; reqId: number }
  | { cmd: "latency"; reqId: number; step: number }
  | { cmd: "close" };

export interface MarketCounts {
  /** Distinct trades received in order. */
  received: number;
  lastId: number;
  duplicates: number;
  /** Trades skipped (ids jumped forward). */
  missing: number;
}

export interface CountsReply {
  reqId: number;
  markets: Record<string, MarketCounts>;
  closed: { code: number; reason: string } | null;
  errors: string[];
}

export interface LatencyReply {
  reqId: number;
  e2e: Percentiles;
  ingest: Percentiles;
  fanout: Percentiles;
}

export type FromWorker =
  | { type: "subscribed" }
  | { type: "error"; message: string }
  | ({ type: "counts" } & CountsReply)
  | ({ type: "latency" } & LatencyReply);

const markets = new Map<string, MarketCounts>();
const samples = new Map<number, { e2e: number[]; ingest: number[]; fanout: number[] }>();
const errors: string[] = [];
let step = -1;
let ws: WebSocket | undefined;
let closed: CountsReply["closed"] = null;

function post(msg: FromWorker): void {
  self.postMessage(msg);
}

function onData(text: string, at: number): void {
  const msg = JSON.parse(text) as {
    channel?: string;
    snapshot?: boolean;
    type?: string;
    data?: { market: string; id: string; ts: number; recvTs: number };
  };
  if (msg.channel === undefined) {
    if (msg.type === "subscribed") post({ type: "subscribed" });
    else if (msg.type === "error") errors.push(text.slice(0, 300));
    return;
  }
  const d = msg.data;
  if (!d || msg.snapshot) return;
  const m = markets.get(d.market);
  if (!m) return; // another run's market on the same exchange
  const id = Number(d.id);
  if (id <= m.lastId) {
    m.duplicates++;
    return;
  }
  if (id > m.lastId + 1) m.missing += id - m.lastId - 1;
  m.lastId = id;
  m.received++;
  const s = samples.get(step);
  if (s) {
    s.e2e.push(at - d.ts);
    s.ingest.push(d.recvTs - d.ts);
    s.fanout.push(at - d.recvTs);
  }
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  switch (m.cmd) {
    case "connect": {
      for (const market of m.markets)
        markets.set(market, { received: 0, lastId: m.startIds?.[market] ?? 0, duplicates: 0, missing: 0 });
      const socket = new WebSocket(m.url);
      ws = socket;
      socket.onopen = () => socket.send(JSON.stringify({ op: "subscribe", channels: m.channels, id: 1 }));
      socket.onmessage = (e) => onData(String(e.data), performance.timeOrigin + performance.now());
      socket.onerror = () => post({ type: "error", message: `websocket error on ${m.url}` });
      socket.onclose = (e) => {
        closed = { code: e.code, reason: e.reason };
      };
      return;
    }
    case "step":
      step = m.step;
      samples.set(step, { e2e: [], ingest: [], fanout: [] });
      return;
    case "counts": {
      const out: Record<string, MarketCounts> = {};
      for (const [k, v] of markets) out[k] = { ...v };
      post({ type: "counts", reqId: m.reqId, markets: out, closed, errors: errors.slice(0, 5) });
      return;
    }
    case "latency": {
      const s = samples.get(m.step) ?? { e2e: [], ingest: [], fanout: [] };
      post({
        type: "latency",
        reqId: m.reqId,
        e2e: percentiles(s.e2e),
        ingest: percentiles(s.ingest),
        fanout: percentiles(s.fanout),
      });
      samples.delete(m.step); // free the memory of finished steps
      return;
    }
    case "close":
      ws?.close();
      return;
  }
};
