import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  freePort,
  SERVICE_NAMES,
  type ServiceName,
  ServiceProcess,
  type StartedSimulator,
  startSimulator,
} from "@tickerplant/testkit";
import { ThrowawayInfra } from "./infra.ts";

export interface PlatformOptions {
  exchanges: string[];
  markets: string[];
  /** Trades per second over all exchanges and markets. */
  tradesPerSecond: number;
  channels: string;
  logDir: string;
  seed?: number;
  /** Extra environment for every service. */
  env?: Record<string, string>;
}

/**
 * The whole platform on throwaway infrastructure: one simulator per exchange (in this process, so
 * the ground truth is at hand), the five services as processes.
 */
export class Platform {
  readonly sims = new Map<string, StartedSimulator>();
  readonly services = new Map<ServiceName, ServiceProcess>();

  private constructor(
    readonly o: PlatformOptions,
    readonly infra: ThrowawayInfra,
  ) {}

  static async start(o: PlatformOptions): Promise<Platform> {
    mkdirSync(o.logDir, { recursive: true });
    const infra = await ThrowawayInfra.start();
    const p = new Platform(o, infra);
    try {
      const perExchange = o.tradesPerSecond / o.exchanges.length;
      for (const exchange of o.exchanges) {
        p.sims.set(
          exchange,
          await startSimulator({
            exchange,
            markets: o.markets,
            tradesPerSecond: perExchange,
            seed: o.seed ?? 42,
            autoStart: false,
          }),
        );
      }
      for (const name of SERVICE_NAMES) {
        const svc = new ServiceProcess(name, () => p.env(), await freePort(), {
          logFile: join(o.logDir, "services.log"),
        });
        p.services.set(name, svc);
        svc.start();
        if (name === "storage-writer") await svc.waitReady(120_000); // applies the migrations first
      }
      await Promise.all([...p.services.values()].map((s) => s.waitReady(120_000)));
      await p.waitReceiving();
    } catch (err) {
      await p.stop();
      throw err;
    }
    return p;
  }

  env(): Record<string, string> {
    const overrides = [...this.sims]
      .map(([ex, s]) => `${ex}.ws=${s.wsUrl},${ex}.rest=${s.restUrl}`)
      .join(",");
    return {
      NATS_URL: this.infra.nats.url,
      REDIS_URL: this.infra.redis.url,
      DATABASE_URL: this.infra.postgres.url,
      LOG_LEVEL: "warn",
      SOURCE: "simulated",
      EXCHANGES: this.o.exchanges.join(","),
      MARKETS: this.o.markets.join(","),
      CHANNELS: this.o.channels,
      CANDLE_INTERVALS: "1m",
      EXCHANGE_URL_OVERRIDES: overrides,
      ...this.o.env,
    };
  }

  service(name: ServiceName): ServiceProcess {
    const s = this.services.get(name);
    if (!s) throw new Error(`no service ${name}`);
    return s;
  }

  /** The ingestor's subscriptions are confirmed (trades made before that would never be sent). */
  async waitReceiving(timeoutMs = 60_000): Promise<void> {
    const port = this.service("ingestor").httpPort;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const live = (await (await fetch(`http://127.0.0.1:${port}/health/live`)).json()) as {
          receiving?: boolean;
        };
        if (live.receiving === true) return;
      } catch {
        // restarting
      }
      await Bun.sleep(100);
    }
    throw new Error("the ingestor never confirmed its subscriptions");
  }

  resume(): void {
    for (const s of this.sims.values()) s.sim.resume();
  }

  pause(): void {
    for (const s of this.sims.values()) s.sim.pause();
  }

  /** `<exchange>:<market>` for every simulated market. */
  keys(): string[] {
    return this.o.exchanges.flatMap((ex) => this.o.markets.map((m) => `${ex}:${m}`));
  }

  gatewayUrl(path: string, ws = false): string {
    return `${ws ? "ws" : "http"}://127.0.0.1:${this.service("gateway").httpPort}${path}`;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop().catch(() => {})));
    await Promise.all([...this.sims.values()].map((s) => s.stop().catch(() => {})));
    await this.infra.stop();
  }
}
