import { resolve } from "node:path";
import type { Subprocess } from "bun";

/** Starts the platform's services as real processes for end-to-end tests. */

export const REPO_ROOT = resolve(import.meta.dir, "../../..");

export type ServiceName = "ingestor" | "scheduler" | "storage-writer" | "gateway" | "analyzer";

export class ServiceProcess {
  private proc: Subprocess<"ignore", "pipe", "pipe"> | undefined;
  private output: string[] = [];

  constructor(
    readonly name: ServiceName,
    readonly env: Record<string, string>,
    readonly httpPort: number,
  ) {}

  start(): this {
    this.proc = Bun.spawn(["bun", resolve(REPO_ROOT, `apps/${this.name}/src/main.ts`)], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.env, HTTP_PORT: String(this.httpPort), SERVICE_NAME: this.name },
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
    for await (const chunk of stream) {
      this.output.push(decoder.decode(chunk));
      if (this.output.length > 2000) this.output.splice(0, 1000);
    }
  }

  /** The last lines the service logged (for failure messages). */
  logs(lines = 40): string {
    return this.output.join("").split("\n").slice(-lines).join("\n");
  }

  async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.proc?.exitCode !== null && this.proc?.exitCode !== undefined) {
        throw new Error(`${this.name} exited with ${this.proc.exitCode}:\n${this.logs()}`);
      }
      try {
        const res = await fetch(`http://127.0.0.1:${this.httpPort}/health/ready`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await Bun.sleep(200);
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
): ServiceProcess {
  return new ServiceProcess(name, env, httpPort).start();
}
