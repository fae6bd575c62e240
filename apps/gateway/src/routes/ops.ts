import { createHealthHandler, type ReadinessCheck } from "@tickerplant/runtime";
import { Elysia } from "elysia";
import type { Registry } from "prom-client";

/** `/health/live`, `/health/ready` (NATS, Redis, database) and `/metrics`, via the runtime's handler. */
export function opsRoutes(deps: {
  registry: Registry;
  checks: ReadinessCheck[];
  info: () => Record<string, unknown>;
}) {
  const handle = createHealthHandler(deps);
  const serve = async ({ request }: { request: Request }) => (await handle(request)) as Response;
  const detail = { tags: ["operations"] };
  return new Elysia()
    .get("/health/live", serve, { detail: { ...detail, summary: "Liveness" } })
    .get("/health/ready", serve, {
      detail: { ...detail, summary: "Readiness: 503 unless NATS, Redis and the database answer" },
    })
    .get("/metrics", serve, { detail: { ...detail, summary: "Prometheus metrics" } });
}
