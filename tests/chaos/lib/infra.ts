import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "@tickerplant/testkit";
import type { Subprocess } from "bun";

/**
 * Throwaway NATS (JetStream), Redis and TimescaleDB for the chaos runs, on free ports with their own
 * data directories, so that killing and restarting them never touches the machine's shared servers.
 * PostgreSQL 17 + TimescaleDB come from the debootstrap root `infra/stack.sh` installs
 * (`~/.tickerplant/trixie-root`), run through chroot as its postgres user, in a cluster of its own.
 */

export interface InfraService {
  readonly name: "nats" | "redis" | "postgres";
  readonly url: string;
  start(): Promise<void>;
  /** Abrupt death (SIGKILL / immediate shutdown), then a start; resolves once it accepts clients. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  pids(): number[];
}

/** How long a server gets to come up, polled every 100 ms. */
const UP = { timeoutMs: 60_000, stepMs: 100 };

async function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(s) {
          s.end();
          resolve(true);
        },
        data() {},
        error() {
          resolve(false);
        },
        connectError() {
          resolve(false);
        },
      },
    }).catch(() => resolve(false));
  });
}

/** A server that is one process we own. */
abstract class ProcessServer implements InfraService {
  abstract readonly name: "nats" | "redis";
  protected proc: Subprocess | undefined;
  constructor(
    readonly port: number,
    readonly dir: string,
  ) {}
  abstract get url(): string;
  protected abstract command(): string[];
  protected abstract ready(): Promise<boolean>;

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    this.proc = Bun.spawn(this.command(), { stdout: "ignore", stderr: "ignore", stdin: "ignore" });
    await waitFor(`${this.name} to come up`, () => this.ready(), UP);
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  private async kill(): Promise<void> {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill("SIGKILL");
    await this.proc.exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  pids(): number[] {
    return this.proc?.pid ? [this.proc.pid] : [];
  }
}

class NatsServer extends ProcessServer {
  readonly name = "nats" as const;
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
  protected command(): string[] {
    return ["nats-server", "-a", "127.0.0.1", "-p", String(this.port), "-js", "-sd", this.dir];
  }
  protected async ready(): Promise<boolean> {
    // JetStream answers only once recovered from its store; a TCP accept is not enough.
    const { connect } = await import("@nats-io/transport-node");
    const { jetstreamManager } = await import("@nats-io/jetstream");
    const nc = await connect({ servers: this.url, reconnect: false, timeout: 1000 });
    try {
      await (await jetstreamManager(nc, { timeout: 1000 })).getAccountInfo();
      return true;
    } finally {
      await nc.close();
    }
  }
}

class RedisServer extends ProcessServer {
  readonly name = "redis" as const;
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  protected command(): string[] {
    // Production-like durability: an append-only file synced every second.
    return [
      "redis-server",
      "--bind",
      "127.0.0.1",
      "--port",
      String(this.port),
      "--dir",
      this.dir,
      "--save",
      "",
      "--appendonly",
      "yes",
      "--appendfsync",
      "everysec",
      "--daemonize",
      "no",
    ];
  }
  protected async ready(): Promise<boolean> {
    const r = Bun.spawnSync(["redis-cli", "-p", String(this.port), "ping"]);
    return r.stdout.toString().trim() === "PONG";
  }
}

const TRIXIE_ROOT = join(process.env.TICKERPLANT_STATE_DIR ?? join(homedir(), ".tickerplant"), "trixie-root");
const PG_BIN = "/usr/lib/postgresql/17/bin";

/** A PostgreSQL 17 + TimescaleDB cluster of its own inside the trixie root, run through chroot. */
class PostgresCluster implements InfraService {
  readonly name = "postgres" as const;
  private readonly dataDir: string;
  constructor(readonly port: number) {
    this.dataDir = `/var/lib/postgresql/chaos-${port}`;
  }
  get url(): string {
    return `postgres://tickerplant@127.0.0.1:${this.port}/tickerplant`;
  }

  private async chroot(args: string[], timeoutMs = 120_000): Promise<string> {
    const passwd = await Bun.file(join(TRIXIE_ROOT, "etc/passwd")).text();
    const line = passwd.split("\n").find((l) => l.startsWith("postgres:"));
    if (!line) throw new Error(`no postgres user in ${TRIXIE_ROOT}`);
    const [, , uid, gid] = line.split(":");
    const proc = Bun.spawn(
      [
        "chroot",
        `--userspec=${uid}:${gid}`,
        TRIXIE_ROOT,
        "/usr/bin/env",
        "-i",
        `PATH=${PG_BIN}:/usr/bin:/bin`,
        "HOME=/var/lib/postgresql",
        "LANG=C.UTF-8",
        "LC_ALL=C.UTF-8",
        ...args,
      ],
      { stdout: "pipe", stderr: "pipe", stdin: "ignore" },
    );
    const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    clearTimeout(timer);
    if (code !== 0) throw new Error(`${args.join(" ")} failed (${code}): ${err || out}`);
    return out;
  }

  async start(): Promise<void> {
    const host = join(TRIXIE_ROOT, this.dataDir);
    if (!(await Bun.file(join(host, "PG_VERSION")).exists())) {
      if (!(await Bun.file(join(TRIXIE_ROOT, PG_BIN, "pg_ctl")).exists()))
        throw new Error(`PostgreSQL 17 is not installed in ${TRIXIE_ROOT}: run bash infra/stack.sh up once`);
      await this.chroot([
        `${PG_BIN}/initdb`,
        "-D",
        this.dataDir,
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
      ]);
      const conf = [
        "shared_preload_libraries = 'timescaledb'",
        "timescaledb.telemetry_level = off",
        "unix_socket_directories = ''",
        "dynamic_shared_memory_type = sysv",
        "max_connections = 200",
        "shared_buffers = 128MB",
        "max_locks_per_transaction = 256",
        "fsync = on",
        "timezone = 'UTC'",
      ].join("\n");
      const path = join(host, "postgresql.conf");
      await Bun.write(path, `${await Bun.file(path).text()}\n${conf}\n`);
    }
    await this.chroot([
      `${PG_BIN}/pg_ctl`,
      "-D",
      this.dataDir,
      "-l",
      `${this.dataDir}/server.log`,
      "-w",
      "-t",
      "60",
      "-o",
      `-c listen_addresses=127.0.0.1 -c port=${this.port}`,
      "start",
    ]);
    await waitFor(
      "postgres to come up",
      () => Bun.spawnSync(["pg_isready", "-q", "-h", "127.0.0.1", "-p", String(this.port)]).exitCode === 0,
      UP,
    );
    const admin = ["psql", "-X", "-q", "-At", "-h", "127.0.0.1", "-p", String(this.port), "-U", "postgres"];
    const run = (db: string, sql: string) => {
      const r = Bun.spawnSync([...admin, "-d", db, "-c", sql]);
      if (r.exitCode !== 0) throw new Error(`psql ${sql}: ${r.stderr.toString()}`);
      return r.stdout.toString().trim();
    };
    if (run("postgres", "select 1 from pg_roles where rolname = 'tickerplant'") !== "1") {
      run("postgres", "create role tickerplant login superuser");
      run("postgres", "create database tickerplant owner tickerplant");
      run("tickerplant", "create extension if not exists timescaledb");
    }
  }

  async restart(): Promise<void> {
    // Immediate mode: no checkpoint, crash recovery on the next start (like a kill -9 of the postmaster).
    await this.chroot([`${PG_BIN}/pg_ctl`, "-D", this.dataDir, "-m", "immediate", "-w", "stop"]);
    await this.start();
  }

  async stop(): Promise<void> {
    await this.chroot([`${PG_BIN}/pg_ctl`, "-D", this.dataDir, "-m", "immediate", "-w", "stop"]).catch(
      () => {},
    );
    rmSync(join(TRIXIE_ROOT, this.dataDir), { recursive: true, force: true });
  }

  pids(): number[] {
    try {
      const pid = Number(
        readFileSync(join(TRIXIE_ROOT, this.dataDir, "postmaster.pid"), "utf8").split("\n")[0],
      );
      return Number.isFinite(pid) ? [pid] : [];
    } catch {
      return [];
    }
  }
}

export class ThrowawayInfra {
  readonly nats: InfraService;
  readonly redis: InfraService;
  readonly postgres: InfraService;

  private constructor(
    nats: InfraService,
    redis: InfraService,
    postgres: InfraService,
    private readonly base: string,
  ) {
    this.nats = nats;
    this.redis = redis;
    this.postgres = postgres;
  }

  static async start(): Promise<ThrowawayInfra> {
    const base = join(tmpdir(), `tickerplant-chaos-${process.pid}`);
    const infra = new ThrowawayInfra(
      new NatsServer(await freePort(), join(base, "nats")),
      new RedisServer(await freePort(), join(base, "redis")),
      new PostgresCluster(await freePort()),
      base,
    );
    try {
      await Promise.all([infra.nats.start(), infra.redis.start(), infra.postgres.start()]);
    } catch (err) {
      await infra.stop();
      throw err;
    }
    return infra;
  }

  get all(): InfraService[] {
    return [this.nats, this.redis, this.postgres];
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((s) => s.stop().catch(() => {})));
    rmSync(this.base, { recursive: true, force: true });
  }
}

export { tcpOpen };
