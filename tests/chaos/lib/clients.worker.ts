/**
 * Many gateway WebSocket clients in a worker thread (the soak's 200): each subscribes to its own
 * channels and counts what it gets; closes and error replies are counted and the client reconnects.
 * Posts its totals every `reportMs`.
 */
declare const self: Worker;

interface Plan {
  url: string;
  clients: string[][];
  reportMs: number;
}

const totals = { messages: 0, trades: 0, closes: 0, errors: 0, open: 0, errorSamples: [] as string[] };
let stopped = false;
const sockets: WebSocket[] = [];

function open(url: string, channels: string[], index: number): void {
  if (stopped) return;
  const ws = new WebSocket(url);
  sockets[index] = ws;
  ws.onopen = () => {
    totals.open++;
    ws.send(JSON.stringify({ op: "subscribe", channels, id: 1 }));
  };
  ws.onmessage = (ev) => {
    totals.messages++;
    const text = String(ev.data);
    if (text.startsWith('{"channel":"trade:')) totals.trades++;
    else if (text.includes('"type":"error"')) {
      totals.errors++;
      if (totals.errorSamples.length < 10) totals.errorSamples.push(text.slice(0, 200));
    }
  };
  ws.onclose = () => {
    totals.open--;
    if (stopped) return;
    totals.closes++;
    setTimeout(() => open(url, channels, index), 1000);
  };
  ws.onerror = () => {};
}

self.onmessage = (ev: MessageEvent<Plan | "stop">) => {
  if (ev.data === "stop") {
    stopped = true;
    for (const ws of sockets) ws?.close();
    setTimeout(() => self.postMessage({ ...totals, final: true }), 500);
    return;
  }
  const plan = ev.data;
  plan.clients.forEach((channels, i) => {
    setTimeout(() => open(plan.url, channels, i), i * 20);
  });
  setInterval(() => self.postMessage({ ...totals }), plan.reportMs);
};
