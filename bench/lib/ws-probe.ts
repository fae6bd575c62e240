import type { CountsReply, FromWorker, LatencyReply, ToWorker } from "./ws-client.worker.ts";

/** Main-thread handle on the WebSocket client worker (ws-client.worker.ts). */
export class WsProbe {
  private readonly worker = new Worker(new URL("./ws-client.worker.ts", import.meta.url).href);
  private readonly pending = new Map<number, (reply: FromWorker) => void>();
  private subscribed: (() => void) | undefined;
  private failed: ((err: Error) => void) | undefined;
  private nextId = 1;

  constructor() {
    this.worker.onmessage = (ev: MessageEvent<FromWorker>) => {
      const m = ev.data;
      if (m.type === "subscribed") this.subscribed?.();
      else if (m.type === "error") this.failed?.(new Error(m.message));
      else {
        this.pending.get(m.reqId)?.(m);
        this.pending.delete(m.reqId);
      }
    };
  }

  private send(msg: ToWorker): void {
    this.worker.postMessage(msg);
  }

  /** Connects and subscribes; resolves on the gateway's `subscribed` reply. */
  connect(
    url: string,
    channels: string[],
    markets: string[],
    timeoutMs = 10_000,
    startIds?: Record<string, number>,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no subscribed reply from ${url}`)), timeoutMs);
      this.subscribed = () => {
        clearTimeout(timer);
        resolve();
      };
      this.failed = (err) => {
        clearTimeout(timer);
        reject(err);
      };
      this.send({ cmd: "connect", url, channels, markets, ...(startIds ? { startIds } : {}) });
    });
  }

  /** Latency samples from now on belong to this step. */
  step(step: number): void {
    this.send({ cmd: "step", step });
  }

  counts(): Promise<CountsReply> {
    const reqId = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(reqId, (r) => resolve(r as CountsReply));
      this.send({ cmd: "counts", reqId });
    });
  }

  latency(step: number): Promise<LatencyReply> {
    const reqId = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(reqId, (r) => resolve(r as LatencyReply));
      this.send({ cmd: "latency", reqId, step });
    });
  }

  async close(): Promise<void> {
    this.send({ cmd: "close" });
    await Bun.sleep(50);
    this.worker.terminate();
  }
}
