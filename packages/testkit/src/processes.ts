import { appendFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Subprocess } from "bun";

/** Starts the platform's services as real processes for end-to-end and chaos tests. */

export const REPO_ROOT = resolve(import.meta.dir, "../../..");

export type ServiceName = "ingestor" | "scheduler" | "storage-writer" | "gateway" | "analyzer";

/** Every service, in the order a platform starts them (the storage-writer applies the migrations). */
export const SERVICE_NAMES: readonly ServiceName[] = [
  "storage-writer",
  "ingestor",
  "gateway",
  "analyzer",
  "scheduler",
];

export interface ServiceProcessOptions {
  /** Every output line is also appended here, prefixed `<name>[<start>]` (one file for many services). */
  logFile?: string;
  /** The checkout whose code runs (default: this one), e.g. an older commit for a benchmark's baseline. */
  root?: string;
}

/**
 * One service process. It can be started again after it exited or was killed (the environment is
 * read at each start when given as a function); its output is kept (the last lines, for failure
 * messages), optionally written to a log file, and its error lines are collected.
 */
export class ServiceProcess {
  private proc: Subprocess<"ignore", "pipe", "pipe"> | undefined;
  private output: string[] = [];
  /** Lines logged at level error (or non-JSON lines that mention an error), at most 200. */
  errorLines: string[] = [];
  warnCount = 0;
  /** How many times the process was started (restarts included). */
  starts = 0;

  constructor(
    readonly name: ServiceName,
    readonly env: Record<string, string> | (() => Record<string, string>),
    readonly httpPort: number,
    private readonly options: ServiceProcessOptions = {},
  ) {}

  /** The running process's id, undefined when it is not running. */
  get pid(): number | undefined {
    return this.proc?.exitCode === null ? this.proc.pid : undefined;
  }

  start(): this {
    this.starts++;
    const env = typeof this.env === "function" ? this.env() : this.env;
    const root = this.options.root ?? REPO_ROOT;
    this.proc = Bun.spawn(["bun", resolve(root, `apps/${this.name}/src/main.ts`)], {
      cwd: root,
      env: { ...process.env, ...env, HTTP_PORT: String(this.httpPort), SERVICE_NAME: this.name },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    void this.collect(this.proc.stdout);
    void this.collect(this.proc.stderr);
    return this;
  }

  private async collect(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of stream) {
      const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) this.line(line);
    }
    if (rest) this.line(rest);
  }

  private line(line: string): void {
    if (!line.trim()) return;
    this.output.push(line);
    if (this.output.length > 2000) this.output.splice(0, 1000);
    if (this.options.logFile) appendFileSync(this.options.logFile, `${this.name}[${this.starts}] ${line}\n`);
    if (line.includes('"level":"error"') || (!line.startsWith("{") && /error/i.test(line))) {
      if (this.errorLines.length < 200) this.errorLines.push(line.slice(0, 500));
      else this.errorLines[199] = "… (more)";
    } else if (line.includes('"level":"warn"')) this.warnCount++;
  }

  /** The last lines the service logged (for failure messages). */
  logs(lines = 40): string {
    return this.output.slice(-lines).join("\n");
  }

  /** Answers /health/ready now. */
  async ready(): Promise<boolean> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.httpPort}/health/ready`, {
        signal: AbortSignal.timeout(2000),
      });
      return res.ok;
    } catch {
      return false; // not listening yet
    }
  }

  /** Waits for /health/ready; returns how long that took. Throws if the process exits first. */
  async waitReady(timeoutMs = 30_000): Promise<number> {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      if (this.proc?.exitCode !== null && this.proc?.exitCode !== undefined) {
        throw new Error(`${this.name} exited with ${this.proc.exitCode}:\n${this.logs()}`);
      }
      if (await this.ready()) return Date.now() - t0;
      await Bun.sleep(50);
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.logs()}`);
  }

  /** Graceful stop (SIGTERM), waiting for the process to exit. */
  async stop(): Promise<void> {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill("SIGTERM");
    const exited = await Promise.race([
      this.proc.exited.then(() => true),
      Bun.sleep(15_000).then(() => false),
    ]);
    if (!exited) this.proc.kill("SIGKILL");
    await this.proc.exited;
  }

  /** Abrupt death: no drain, no acks for in-flight work. */
  async kill9(): Promise<void> {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill("SIGKILL");
    await this.proc.exited;
  }
}

export function startService(
  name: ServiceName,
  env: Record<string, string>,
  httpPort: number,
  options?: ServiceProcessOptions,
): ServiceProcess {
  return new ServiceProcess(name, env, httpPort, options).start();
}

/** Each service's last `lines` log lines under a `--- name` header, for timeout messages. */
export function recentLogs(services: Iterable<ServiceProcess>, lines = 15): string {
  return [...services].map((s) => `--- ${s.name}\n${s.logs(lines)}`).join("\n");
}
