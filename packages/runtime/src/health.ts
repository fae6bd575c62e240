import type { Registry } from "prom-client";

/** A named readiness check; it resolves when the dependency answers. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<unknown>;
}

const CHECK_TIMEOUT_MS = 2000;

export interface CheckResult {
  name: string;
  ok: boolean;
  latencyMs: number;
  error?: string;
}

/** Runs one check with a timeout; never throws. */
export async function runCheck(c: ReadinessCheck): Promise<CheckResult> {
  let timer: Timer | undefined;
  const t0 = performance.now();
  const latency = () => Math.round((performance.now() - t0) * 100) / 100;
  try {
    await Promise.race([
      c.check(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { name: c.name, ok: true, latencyMs: latency() };
  } catch (err) {
    return {
      name: c.name,
      ok: false,
      latencyMs: latency(),
      error: err instanceof Error ? err.message : String(err),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Answers `/health/live`, `/health/ready` and `/metrics`; returns undefined for other paths so a
 * service with its own HTTP server (the gateway) can mount it in front of its routes.
 */
export function createHealthHandler(deps: {
  registry: Registry;
  checks: ReadinessCheck[];
  info?: () => Record<string, unknown>;
}): (req: Request) => Promise<Response | undefined> {
  return async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/health/live") return Response.json({ status: "ok", ...deps.info?.() });
    if (path === "/health/ready") {
      const results = await Promise.all(deps.checks.map(runCheck));
      const ready = results.every((r) => r.ok);
      return Response.json(
        { status: ready ? "ready" : "not_ready", checks: results },
        { status: ready ? 200 : 503 },
      );
    }
    if (path === "/metrics") {
      return new Response(await deps.registry.metrics(), {
        headers: { "content-type": deps.registry.contentType },
      });
    }
    return undefined;
  };
}

export interface HealthServer {
  port: number;
  stop(): Promise<void>;
}

export function startHealthServer(deps: {
  port: number;
  hostname?: string;
  registry: Registry;
  checks: ReadinessCheck[];
  info?: () => Record<string, unknown>;
}): HealthServer {
  const handle = createHealthHandler(deps);
  const server = Bun.serve({
    port: deps.port,
    hostname: deps.hostname ?? "0.0.0.0",
    async fetch(req) {
      return (
        (await handle(req)) ??
        Response.json({ error: { code: "not_found", message: "not found" } }, { status: 404 })
      );
    },
  });
  return { port: server.port ?? deps.port, stop: async () => void (await server.stop(true)) };
}
