/** A test WebSocket client that records everything it receives. */
export interface TestSocket {
  ws: WebSocket;
  /** Text frames received, in order. */
  messages: string[];
  /** Parsed JSON frames (non-JSON frames are skipped here but kept in `messages`). */
  json(): unknown[];
  pings: number;
  closed: Promise<{ code: number; reason: string }>;
  isClosed(): boolean;
  /** Resolves when `pred` holds (checked on every message), rejects after timeoutMs. */
  waitFor(pred: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  send(value: unknown): void;
  close(): void;
}

export async function connect(url: string, timeoutMs = 2000): Promise<TestSocket> {
  const ws = new WebSocket(url);
  const messages: string[] = [];
  let closedFlag = false;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  const t: TestSocket = {
    ws,
    messages,
    pings: 0,
    json: () =>
      messages.flatMap((m) => {
        try {
          return [JSON.parse(m) as unknown];
        } catch {
          return [];
        }
      }),
    closed: new Promise((resolve) => {
      ws.addEventListener("close", (e) => {
        closedFlag = true;
        resolve({ code: e.code, reason: e.reason });
        notify();
      });
    }),
    isClosed: () => closedFlag,
    waitFor(pred, ms = 2000, what = "condition") {
      return new Promise<void>((resolve, reject) => {
        if (pred()) return resolve();
        const check = () => {
          if (pred()) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
        }, ms);
        waiters.add(check);
      });
    },
    send: (v) => ws.send(typeof v === "string" ? v : JSON.stringify(v)),
    close: () => {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
    },
  };
  ws.addEventListener("message", (e) => {
    messages.push(typeof e.data === "string" ? e.data : String(e.data));
    notify();
  });
  ws.addEventListener("ping", () => {
    t.pings++;
    notify();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`connect timeout ${url}`)), timeoutMs);
    ws.addEventListener("open", () => {
      clearTimeout(timer);
      resolve();
    });
    ws.addEventListener("close", (e) => {
      clearTimeout(timer);
      reject(new Error(`closed before open: ${e.code}`));
    });
  });
  return t;
}
