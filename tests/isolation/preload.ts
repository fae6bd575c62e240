/**
 * Loaded before every test file (bunfig.toml): the tests get infrastructure of their own, so a
 * platform running on the same machine never sees their messages, rows or keys.
 *
 * - NATS: a throwaway nats-server (JetStream, temp store, free port) started here and stopped when
 *   the run exits, unless TICKERPLANT_TEST_NATS_URL names one to use instead.
 * - Redis: TEST_REDIS_URL, else database 15 of REDIS_URL's server.
 * - PostgreSQL: TEST_DATABASE_URL, else database `tickerplant_test` of DATABASE_URL's server.
 *
 * NATS_URL, REDIS_URL and DATABASE_URL are overwritten with the test values, so no test (or service
 * a test spawns with this environment) can reach the platform's own stores.
 */
import { afterAll } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const env = process.env;

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

const redisUrl = env.TEST_REDIS_URL || withDb(env.REDIS_URL || "redis://127.0.0.1:6379", "15");
const databaseUrl =
  env.TEST_DATABASE_URL ||
  withDb(env.DATABASE_URL || "postgres://tickerplant@127.0.0.1:5433/tickerplant", "tickerplant_test");
env.REDIS_URL = redisUrl;
env.TEST_REDIS_URL = redisUrl;
env.TEST_DATABASE_URL = databaseUrl;
env.DATABASE_URL = databaseUrl;
env.NATS_URL = env.TICKERPLANT_TEST_NATS_URL || (await startNats());
env.TICKERPLANT_TEST_NATS_URL = env.NATS_URL;

function natsBinary(): string {
  const candidates = [env.TICKERPLANT_NATS_SERVER, "/usr/sbin/nats-server", "/usr/bin/nats-server"];
  for (const c of candidates) if (c && existsSync(c)) return c;
  const which = spawnSync("sh", ["-c", "command -v nats-server"], { encoding: "utf8" });
  const found = which.stdout.trim();
  if (found) return found;
  throw new Error(
    "tests need nats-server (apt-get install nats-server) or TICKERPLANT_TEST_NATS_URL pointing at a NATS with JetStream",
  );
}

async function freePort(): Promise<number> {
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

async function startNats(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "tickerplant-test-nats-"));
  const port = await freePort();
  // The store limits keep a long run from filling a small disk; the payload limit matches production.
  const conf = join(dir, "nats.conf");
  await Bun.write(
    conf,
    `listen: 127.0.0.1:${port}\nmax_payload: 8MB\njetstream { store_dir: "${dir}/js", max_memory_store: 1GB, max_file_store: 20GB }\n`,
  );
  // A watchdog shell stops the server and removes its store when this process ends, however it
  // ends (bun test runs no exit handlers, and a killed run must not leave a server behind).
  const watchdog = `"$0" -c "$1" & n=$!; while kill -0 ${process.pid} 2>/dev/null && kill -0 $n 2>/dev/null; do sleep 0.5; done; kill -9 $n 2>/dev/null; wait $n 2>/dev/null; rm -rf "$2"`;
  const child = spawn("sh", ["-c", watchdog, natsBinary(), conf, dir], { stdio: "ignore" });
  const stop = () => {
    child.kill("SIGTERM");
    spawnSync("sh", ["-c", `pkill -9 -f "nats-server -c ${conf}"; rm -rf "${dir}"`]);
  };
  afterAll(stop);
  const url = `nats://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`test nats-server exited with ${child.exitCode}`);
    if (await answers(port)) return url;
    await Bun.sleep(50);
  }
  stop();
  throw new Error(`test nats-server did not answer on ${url} within 15 s`);
}

/** The server sends INFO on connect once it accepts clients. */
async function answers(port: number): Promise<boolean> {
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
