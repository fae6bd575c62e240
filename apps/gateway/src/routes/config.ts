import { Type as T } from "@sinclair/typebox";
import { REDACTED, redact } from "@tickerplant/runtime";
import { Elysia } from "elysia";
import { parseApiKeys } from "../access/keys.ts";
import type { GatewayConfig } from "../config.ts";
import { ErrorBodySchema } from "../errors.ts";

/** The effective configuration with every secret replaced by "[redacted]"; API keys show id and role. */
export function redactedConfig(config: GatewayConfig): Record<string, unknown> {
  const out = redact(config) as Record<string, unknown>;
  out.API_KEYS = parseApiKeys(config.API_KEYS).map((k) => `${k.id}:${k.role}:${REDACTED}`);
  return out;
}

/** `GET /api/v1/config`: what the gateway runs with (defaults applied), secrets redacted. */
export function configRoute(deps: { config: GatewayConfig }) {
  const body = { data: redactedConfig(deps.config) };
  return new Elysia().get("/config", () => body, {
    detail: {
      tags: ["operations"],
      summary: "The gateway's effective configuration; keys, passwords and URL credentials are redacted",
    },
    response: { 200: T.Object({ data: T.Record(T.String(), T.Unknown()) }), 429: ErrorBodySchema },
  });
}
