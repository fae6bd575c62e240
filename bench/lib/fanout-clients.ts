/**
 * The fan-out benchmark's client process (bench/fanout.ts): holds N WebSocket clients on one
 * server, as a new user would with one process, and counts what they receive. Controlled over
 * Bun's IPC channel by the bench.
 *
 * Counting is cheap on purpose (the client must not be the slow part): a frame is not parsed,
 * its latency is read from the `"recvTs":` field the bench's publisher stamps (epoch ms with
 * sub-ms resolution) into a histogram of 0.1 ms buckets. The resume client (one socket) parses
 * every frame and checks trade ids: in order, no gap, no duplicate.
 */

export type ToClients =
  | { cmd: "connect"; url: string; groups: Array<{ channel: string; count: number }> }
  | { cmd: "reset" }
  | { cmd: "sample"; reqId: number }
  | { cmd: "resume"; url: string; channel: string; since: number; firstId: number; liveId: number }
  | { cmd: "resume-status"; reqId: number }
  | { cmd: "disconnect" };

export interface ClientSample {
  reqId: number;
  /** Messages received since the last reset. */
  received: number;
  /** Milliseconds since the last reset. */
  elapsedMs: number;
  latency: { p50: number; p99: number; max: number; count: number };
  open: number;
  closed: Record<string, number>;
}

export interface ResumeStatus {
  reqId: number;
  received: number;
  gaps: number;
  duplicates: number;
  lastId: number;
  /** ms from the subscribe request to the first trade at or past the live id of that moment. */
  caughtUpMs: number | null;
  /** Latency (receive − recvTs) of the trades after catching up: p99 ms. */
  liveP99: number | null;
  errors: string[];
}

export type FromClients =
  | { type: "connected"; open: number; failed: number }
  | ({ type: "sample" } & ClientSample)
  | ({ type: "resume-status" } & ResumeStatus);

const BUCKET_MS = 0.1;
const BUCKETS = 100_000; // up to 10 s; beyond lands in the last bucket
const hist = new Uint32Array(BUCKETS);
let maxLatency = 0;
let received = 0;
let resetAt = performance.now();
const sockets = new Set<WebSocket>();
const closed: Record<string, number> = {};
const STAMP = '"recvTs":';

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function onFrame(text: string): void {
  received++;
  const at = text.indexOf(STAMP);
  if (at < 0) return;
  const stamp = Number.parseFloat(text.slice(at + STAMP.length, at + STAMP.length + 20));
  const ms = nowMs() - stamp;
  if (!(ms >= 0)) return;
  if (ms > maxLatency) maxLatency = ms;
  hist[Math.min(BUCKETS - 1, Math.floor(ms / BUCKET_MS))]!++;
}

function quantile(q: number, total: number): number {
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    seen += hist[i]!;
    if (seen >= rank) return (i + 1) * BUCKET_MS;
  }
  return Number.NaN;
}

function sample(reqId: number): ClientSample {
  let count = 0;
  for (let i = 0; i < BUCKETS; i++) count += hist[i]!;
  return {
    reqId,
    received,
    elapsedMs: performance.now() - resetAt,
    latency: { p50: quantile(0.5, count), p99: quantile(0.99, count), max: maxLatency, count },
    open: sockets.size,
    closed,
  };
}

function connectOne(url: string, channel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    let subscribed = false;
    const timer = setTimeout(() => {
      ws.close();
      resolve(false);
    }, 30_000);
    ws.onopen = () => ws.send(JSON.stringify({ op: "subscribe", channels: [channel], id: 1 }));
    ws.onmessage = (e) => {
      const text = e.data as string;
      if (!subscribed) {
        if (text.includes('"error"')) closed[`error: ${text.slice(0, 120)}`] = 1;
        if (text.includes('"subscribed"')) {
          subscribed = true;
          sockets.add(ws);
          clearTimeout(timer);
          resolve(true);
        }
        return;
      }
      onFrame(text);
    };
    ws.onclose = (e) => {
      clearTimeout(timer);
      const key = `${subscribed ? "" : "before subscribed: "}${e.code} ${e.reason}`.trim();
      if (sockets.delete(ws) || !subscribed) closed[key] = (closed[key] ?? 0) + 1;
      resolve(subscribed);
    };
  });
}

async function connect(url: string, groups: Array<{ channel: string; count: number }>): Promise<void> {
  const plan: string[] = [];
  // Interleaved, so that a partial connect still holds both kinds.
  const left = groups.map((g) => g.count);
  while (left.some((n) => n > 0))
    groups.forEach((g, i) => {
      if (left[i]! > 0) {
        plan.push(g.channel);
        left[i]!--;
      }
    });
  let ok = 0;
  let failed = 0;
  const PARALLEL = 50;
  for (let i = 0; i < plan.length; i += PARALLEL) {
    const results = await Promise.all(plan.slice(i, i + PARALLEL).map((c) => connectOne(url, c)));
    for (const r of results) r ? ok++ : failed++;
  }
  process.send?.({ type: "connected", open: ok, failed } satisfies FromClients);
}

// --- the resume client ---------------------------------------------------------------------
let resume: {
  ws: WebSocket;
  sentAt: number;
  liveId: number;
  expectId: number;
  received: number;
  gaps: number;
  duplicates: number;
  lastId: number;
  caughtUpMs: number | null;
  live: number[];
  errors: string[];
} | null = null;

function startResume(m: Extract<ToClients, { cmd: "resume" }>): void {
  resume?.ws.close();
  const ws = new WebSocket(m.url);
  const r = {
    ws,
    sentAt: 0,
    liveId: m.liveId,
    expectId: m.firstId,
    received: 0,
    gaps: 0,
    duplicates: 0,
    lastId: m.firstId - 1,
    caughtUpMs: null as number | null,
    live: [] as number[],
    errors: [] as string[],
  };
  resume = r;
  ws.onopen = () => {
    r.sentAt = performance.now();
    ws.send(JSON.stringify({ op: "subscribe", channels: [m.channel], id: 1, since: m.since }));
  };
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data as string) as {
      type?: string;
      channel?: string;
      data?: { id: string; recvTs: number };
    };
    if (!msg.channel || !msg.data) {
      if (msg.type === "error") r.errors.push(String(e.data).slice(0, 200));
      return;
    }
    const id = Number(msg.data.id);
    r.received++;
    if (id < r.expectId) r.duplicates++;
    else {
      if (id > r.expectId) r.gaps += id - r.expectId;
      r.expectId = id + 1;
      r.lastId = id;
    }
    if (r.caughtUpMs === null && id >= r.liveId) r.caughtUpMs = performance.now() - r.sentAt;
    else if (r.caughtUpMs !== null) r.live.push(nowMs() - msg.data.recvTs);
  };
  ws.onclose = (e) => {
    if (resume === r && e.code !== 1000) r.errors.push(`closed ${e.code} ${e.reason}`);
  };
}

function resumeStatus(reqId: number): ResumeStatus {
  const r = resume;
  if (!r)
    return {
      reqId,
      received: 0,
      gaps: 0,
      duplicates: 0,
      lastId: 0,
      caughtUpMs: null,
      liveP99: null,
      errors: ["no resume client"],
    };
  const live = Float64Array.from(r.live).sort();
  return {
    reqId,
    received: r.received,
    gaps: r.gaps,
    duplicates: r.duplicates,
    lastId: r.lastId,
    caughtUpMs: r.caughtUpMs,
    liveP99: live.length ? live[Math.min(live.length - 1, Math.ceil(0.99 * live.length) - 1)]! : null,
    errors: r.errors.slice(0, 5),
  };
}

process.on("message", (m: ToClients) => {
  switch (m.cmd) {
    case "connect":
      void connect(m.url, m.groups);
      return;
    case "reset":
      hist.fill(0);
      maxLatency = 0;
      received = 0;
      resetAt = performance.now();
      return;
    case "sample":
      process.send?.({ type: "sample", ...sample(m.reqId) } satisfies FromClients);
      return;
    case "resume":
      startResume(m);
      return;
    case "resume-status":
      process.send?.({ type: "resume-status", ...resumeStatus(m.reqId) } satisfies FromClients);
      return;
    case "disconnect":
      for (const ws of sockets) ws.close(1000);
      sockets.clear();
      resume?.ws.close(1000);
      resume = null;
      return;
  }
});
