import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A throwaway nats-server with JetStream: its own free port and temporary store. */
export interface LocalNatsServer {
  url: string;
  port: number;
  /** Its configuration file (names the process: `nats-server -c <configFile>`). */
  configFile: string;
  /** SIGKILL (no lame duck, no goodbye), then the server again on the same port and store; resolves once it accepts. */
  restart(): Promise<void>;
  /** Stops the server and removes its store. */
  stop(): void;
}

export interface LocalNatsOptions {
  /** nats-server binary; default TICKERPLANT_NATS_SERVER, then /usr/sbin, /usr/bin, PATH. */
  binary?: string;
  /** The server also stops when this process ends, however it ends. Default: this process. */
  ownerPid?: number;
}

export function natsServerBinary(preferred?: string): string {
  const candidates = [
    preferred,
    process.env.TICKERPLANT_NATS_SERVER,
    "/usr/sbin/nats-server",
    "/usr/bin/nats-server",
  ];
  for (const c of candidates) if (c && existsSync(c)) return c;
  const found = spawnSync("sh", ["-c", "command -v nats-server"], { encoding: "utf8" }).stdout.trim();
  if (found) return found;
  throw new Error("nats-server not found (apt-get install nats-server, or set TICKERPLANT_NATS_SERVER)");
}

/** A TCP port nothing listens on now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startNatsServer(options: LocalNatsOptions = {}): Promise<LocalNatsServer> {
  const dir = mkdtempSync(join(tmpdir(), "tickerplant-nats-"));
  const port = await freePort();
  const conf = join(dir, "nats.conf");
  // Production's payload limit (book snapshots are large); store limits keep a long run bounded.
  await Bun.write(
    conf,
    `listen: 127.0.0.1:${port}\nmax_payload: 8MB\njetstream { store_dir: "${dir}/js", max_memory_store: 1GB, max_file_store: 20GB }\n`,
  );
  // A watchdog shell stops the server and removes its store when the owner ends, however it ends
  // (bun test runs no exit handlers, and a killed run must not leave a server behind). A server
  // killed with the restart marker in place is started again on the same store.
  const owner = options.ownerPid ?? process.pid;
  const marker = join(dir, "restart");
  const watchdog = `"$0" -c "$1" & n=$!; while kill -0 ${owner} 2>/dev/null; do if ! kill -0 $n 2>/dev/null; then [ -f "$3" ] || break; rm -f "$3"; "$0" -c "$1" & n=$!; fi; sleep 0.05; done; kill -9 $n 2>/dev/null; wait $n 2>/dev/null; rm -rf "$2"`;
  const child = spawn("sh", ["-c", watchdog, natsServerBinary(options.binary), conf, dir, marker], {
    stdio: "ignore",
  });
  const kill9 = () => spawnSync("sh", ["-c", `pkill -9 -f "nats-server -c ${conf}"`]);
  const stop = () => {
    child.kill("SIGTERM");
    kill9();
    spawnSync("rm", ["-rf", dir]);
  };
  const url = `nats://127.0.0.1:${port}`;
  const waitAccepting = async (what: string) => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`nats-server exited with ${child.exitCode} (config ${conf})`);
      if (await accepts(port)) return;
      await Bun.sleep(20);
    }
    throw new Error(`nats-server did not ${what} on ${url} within 15 s`);
  };
  const restart = async () => {
    writeFileSync(marker, "");
    kill9();
    while (await accepts(port)) await Bun.sleep(10);
    await waitAccepting("come back");
  };
  try {
    await waitAccepting("answer");
    return { url, port, configFile: conf, restart, stop };
  } catch (err) {
    stop();
    throw err;
  }
}

async function accepts(port: number): Promise<boolean> {
  try {
    const socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: { data() {}, open() {}, close() {}, error() {} },
    });
    socket.end();
    return true;
  } catch {
    return false;
  }
}
