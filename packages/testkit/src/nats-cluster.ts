import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { Subprocess } from "bun";

/** One nats-server of a local JetStream cluster. */
export interface ClusterNode {
  name: string;
  url: string;
  monitorUrl: string;
  running: boolean;
}

export interface NatsCluster {
  nodes: ClusterNode[];
  /** All client URLs, comma-separated (what NATS_URL takes). */
  url: string;
  /** SIGKILL one server (no lame duck, no goodbye). */
  kill(name: string): Promise<void>;
  /** Starts a killed server again with its store. */
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts three local nats-servers (the `nats-server` binary on PATH) as one JetStream cluster on
 * consecutive ports from `basePort` (client), `basePort+100` (cluster), `basePort+200` (monitor),
 * with stores in a temporary directory. Resolves once the cluster has a JetStream meta leader.
 */
export async function startNatsCluster(
  options: { basePort?: number; size?: number } = {},
): Promise<NatsCluster> {
  const base = options.basePort ?? 24222;
  const size = options.size ?? 3;
  const dir = mkdtempSync(join(tmpdir(), "tickerplant-nats-cluster-"));
  const names = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  const routes = names.map((_, i) => `nats://127.0.0.1:${base + 100 + i}`);
  const procs = new Map<string, Subprocess>();
  const nodes: ClusterNode[] = names.map((name, i) => ({
    name,
    url: `nats://127.0.0.1:${base + i}`,
    monitorUrl: `http://127.0.0.1:${base + 200 + i}`,
    running: false,
  }));

  function spawn(i: number): void {
    const name = names[i]!;
    const store = join(dir, name);
    mkdirSync(store, { recursive: true });
    const conf = join(dir, `${name}.conf`);
    writeFileSync(
      conf,
      [
        `server_name: ${name}`,
        `listen: 127.0.0.1:${base + i}`,
        `http: 127.0.0.1:${base + 200 + i}`,
        `jetstream { store_dir: "${store}", max_memory_store: 64MB, max_file_store: 1GB }`,
        `cluster { name: tickerplant-test, listen: 127.0.0.1:${base + 100 + i}, routes: [${routes.join(", ")}] }`,
      ].join("\n"),
    );
    procs.set(
      name,
      Bun.spawn(["nats-server", "-c", conf], {
        stdout: "ignore",
        stderr: Bun.file(join(dir, `${name}.log`)),
      }),
    );
    nodes[i]!.running = true;
  }

  async function waitForMetaLeader(url: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const nc = await connect({ servers: url.split(","), timeout: 2000 });
        try {
          await (await jetstreamManager(nc)).getAccountInfo();
          return;
        } finally {
          await nc.close();
        }
      } catch (err) {
        last = err;
        await Bun.sleep(250);
      }
    }
    throw new Error(`NATS cluster has no JetStream leader after ${timeoutMs} ms: ${last}`);
  }

  for (let i = 0; i < names.length; i++) spawn(i);
  const url = nodes.map((n) => n.url).join(",");
  await waitForMetaLeader(url);

  return {
    nodes,
    url,
    async kill(name) {
      const p = procs.get(name);
      if (!p) throw new Error(`no server ${name}`);
      p.kill("SIGKILL");
      await p.exited;
      nodes.find((n) => n.name === name)!.running = false;
    },
    async restart(name) {
      spawn(names.indexOf(name));
      await waitForMetaLeader(nodes.find((n) => n.name === name)!.url);
    },
    async stop() {
      for (const p of procs.values()) p.kill("SIGTERM");
      await Promise.all([...procs.values()].map((p) => p.exited));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
