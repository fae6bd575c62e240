import { appendFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Subprocess } from "bun";

export const REPO_ROOT = resolve(import.meta.dir, "../../..");

export type ServiceName = "ingestor" | "storage-writer" | "gateway" | "analyzer" | "scheduler";
export const SERVICES: ServiceName[] = ["storage-writer", "ingestor", "gateway", "analyzer", "scheduler"];

/**
 * One platform service as a real process whose JSON log lines go to a file; error lines are counted
 * (the soak's "no error logs" check) and kept for the report.
 */
export class ChaosService {
  private proc: Subprocess<"ignore", "pipe", "pipe"> | undefined;
  errorLines: string[] = [];
  warnCount = 0;
  starts = 0;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: () => Record<string, string>,
    private readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.proc?.exitCode === null ? this.proc.pid : undefined;
  }

  start(): this {
    this.starts++;
    this.proc = Bun.spawn(["bun", resolve(REPO_ROOT, `apps/${this.name}/src/main.ts`)], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.env(), HTTP_PORT: String(this.port), SERVICE_NAME: this.name },
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
      const text = rest + decoder.decode(chunk, { stream: true });
      const lines = text.split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) this.line(line);
    }
    if (rest) this.line(rest);
  }

  private line(line: string): void {
    if (!line.trim()) return;
    appendFileSync(this.logFile, `${this.name}[${this.starts}] ${line}\n`);
    if (line.includes('"level":"error"') || (!line.startsWith("{") && /error/i.test(line))) {
      if (this.errorLines.length < 200) this.errorLines.push(line.slice(0, 500));
      else this.errorLines[199] = `… (more)`;
    } else if (line.includes('"level":"warn"')) this.warnCount++;
  }

  async ready(): Promise<boolean> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}/health/ready`, {
        signal: AbortSignal.timeout(2000),
      });
      return res.ok;
    } catch {
      return false;
    }
  }

  async waitReady(timeoutMs = 60_000): Promise<number> {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      if (this.proc && this.proc.exitCode !== null)
        throw new Error(`${this.name} exited with ${this.proc.exitCode}`);
      if (await this.ready()) return Date.now() - t0;
      await Bun.sleep(50);
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms`);
  }

  async kill9(): Promise<void> {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill("SIGKILL");
    await this.proc.exited;
  }

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
}
