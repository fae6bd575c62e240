import {
  recentLogs,
  type ServiceName,
  type ServiceProcess,
  type StartedSimulator,
  startService,
  startSimulator,
} from "@tickerplant/testkit";
import { CpuMeter, findPid, type ProcessGroup, processTree, singlePid } from "./cpu.ts";
import { productionRuntimeEnv } from "./production-runtime.ts";

/**
 * The pipeline under test: the simulator in this process, ingestor, storage-writer and gateway as
 * real processes with their production defaults (batch size, flush interval, publish window),
 * on unique markets so that rows, subjects and message ids never meet another run's.
 */

export interface StackOptions {
  natsUrl: string;
  /** What names the nats-server process in its command line (its config file when the bench started it). */
  natsProcess: string[];
  redisUrl: string;
  databaseUrl: string;
  markets: string[];
  ports: Record<"ingestor" | "storage-writer" | "gateway", number>;
  /** Extra environment for every service (e.g. BATCH_SIZE to try a setting). */
  env?: Record<string, string>;
  /** Extra bun flags for every service (e.g. a CPU profile). */
  bunOptions?: string;
}

export class Stack {
  readonly services = new Map<ServiceName, ServiceProcess>();
  sim!: StartedSimulator;

  constructor(readonly o: StackOptions) {}

  private env(name: "ingestor" | "storage-writer" | "gateway"): Record<string, string> {
    return {
      ...productionRuntimeEnv(name, this.o.bunOptions),
      NATS_URL: this.o.natsUrl,
      REDIS_URL: this.o.redisUrl,
      DATABASE_URL: this.o.databaseUrl,
      LOG_LEVEL: "warn",
      EXCHANGES: "binance",
      MARKETS: this.o.markets.join(","),
      // Tickers (1/s per market) keep the exchange stream from looking stale between steps.
      CHANNELS: "trade,ticker",
      SOURCE: "simulated",
      EXCHANGE_URL_OVERRIDES: `binance.ws=${this.sim.wsUrl},binance.rest=${this.sim.restUrl}`,
      ...this.o.env,
    };
  }

  async start(): Promise<void> {
    this.sim = await startSimulator({
      markets: this.o.markets,
      tradesPerSecond: 0,
      seed: 42,
      autoStart: false,
    });
    const order: Array<"storage-writer" | "ingestor" | "gateway"> = ["storage-writer", "ingestor", "gateway"];
    for (const name of order) {
      const svc = startService(name, this.env(name), this.o.ports[name]);
      this.services.set(name, svc);
      if (name === "storage-writer") await svc.waitReady(); // applies the migrations first
    }
    await Promise.all([...this.services.values()].map((s) => s.waitReady()));
  }

  url(name: "ingestor" | "storage-writer" | "gateway", path: string): string {
    return `http://127.0.0.1:${this.o.ports[name]}${path}`;
  }

  /** CPU groups: this process (simulator + WebSocket client), each service, NATS, PostgreSQL, Redis. */
  cpuMeter(): CpuMeter {
    const services: ProcessGroup[] = [];
    for (const name of this.services.keys()) {
      const pid = findPid([`apps/${name}/src/main.ts`], process.pid);
      if (pid !== undefined) services.push(singlePid(name, pid));
    }
    const [self, ...infra] = infrastructureGroups(this.o.databaseUrl, this.o.natsProcess);
    return new CpuMeter([self!, ...services, ...infra]);
  }

  logs(lines = 20): string {
    return recentLogs(this.services.values(), lines);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop()));
    await this.sim?.stop();
  }
}

/** This process, nats-server, the PostgreSQL server of `databaseUrl` (with its backends), Redis. */
export function infrastructureGroups(databaseUrl: string, natsProcess: string[]): ProcessGroup[] {
  const groups: ProcessGroup[] = [singlePid("bench (simulator + ws client)", process.pid)];
  const nats = findPid(natsProcess);
  if (nats !== undefined) groups.push(singlePid("nats-server", nats));
  const port = new URL(databaseUrl).port || "5432";
  const postmaster = findPid(["postgres", `port=${port}`]) ?? findPid(["postgres", `-p ${port}`]);
  if (postmaster !== undefined) groups.push(processTree("postgres", postmaster));
  const redis = findPid(["redis-server"]);
  if (redis !== undefined) groups.push(singlePid("redis", redis));
  return groups;
}

/** Sum of a Prometheus metric's samples whose labels contain all of `labels` (text format). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== "{" && rest[0] !== " ") continue;
    if (!Object.entries(labels).every(([k, v]) => rest.includes(`${k}="${v}"`))) continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

export async function scrape(url: string): Promise<string> {
  try {
    return await (await fetch(url)).text();
  } catch {
    return "";
  }
}
