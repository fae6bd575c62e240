import { dataOf, type GatewayClient, GatewayError } from "@tickerplant/client";
import { commandContext, printJson } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import { cellOf, fmtAge, fmtTime, type Out, paint, recordsTable, table } from "../output.ts";
import type { CommandIo } from "./types.ts";

export const STATUS_USAGE = `status
      every service's health, each exchange's connection state, source and lag, REST capacity and
      open gaps; exit 1 when something is unhealthy`;

type Json = Record<string, unknown>;

/** A route that this gateway may not serve yet (404) reads as absent rather than failing. */
async function optional<T>(client: GatewayClient, path: string): Promise<T | null> {
  try {
    return await client.request<T>("GET", path);
  } catch (err) {
    if (err instanceof GatewayError && (err.status === 404 || err.status === 501)) return null;
    // A 503 from /health carries the detail we want to show.
    if (err instanceof GatewayError && err.status === 503)
      return { unhealthy: true, error: err.message } as T;
    throw err;
  }
}

const asList = (v: unknown): Json[] =>
  Array.isArray(v)
    ? (v as Json[])
    : v && typeof v === "object"
      ? Object.entries(v as Json).map(([name, x]) => ({
          name,
          ...(x && typeof x === "object" ? (x as Json) : { value: x }),
        }))
      : [];

const OK_WORDS = new Set(["ok", "up", "healthy", "connected", "live", "pass", "ready", "active", true]);

function colourFor(v: unknown): "green" | "red" | "yellow" | undefined {
  if (typeof v === "boolean") return v ? "green" : "red";
  if (typeof v !== "string") return undefined;
  if (OK_WORDS.has(v.toLowerCase())) return "green";
  if (/down|fail|error|disconnected|unhealthy|stale|gap/i.test(v)) return "red";
  if (/simulated|degraded|unknown|connecting/i.test(v)) return "yellow";
  return undefined;
}

function section(out: Out, title: string, lines: string[]): void {
  out.write(`\n${paint(out, "bold", title)}\n${lines.map((l) => `  ${l}`).join("\n")}\n`);
}

function colouredTable(records: Json[], out: Out): string[] {
  const cols = [...new Set(records.flatMap((r) => Object.keys(r)))].filter(
    (c) => !records.every((r) => r[c] && typeof r[c] === "object"),
  );
  return table(
    cols,
    records.map((r) =>
      cols.map((c) => {
        const v = r[c];
        const text =
          /lag|age/i.test(c) && typeof v === "number"
            ? fmtAge(v)
            : /At$/.test(c) && typeof v === "number"
              ? fmtTime(v)
              : cellOf(v);
        return paint(out, /state|status|source|health|ok/i.test(c) ? colourFor(v) : undefined, text);
      }),
    ),
    out,
  );
}

function unhealthy(v: unknown): boolean {
  if (!v || typeof v !== "object") return false;
  const o = v as Json;
  for (const k of ["status", "state", "health"]) {
    const s = o[k];
    if (typeof s === "string" && /^(down|fail|failed|error|unhealthy)$/i.test(s)) return true;
  }
  return o.ok === false || o.healthy === false || o.unhealthy === true;
}

export async function status(args: string[], io: CommandIo): Promise<number> {
  const ctx = commandContext(args, {}, io);
  const { client } = ctx;
  // /health (overall, per dependency) and /api/v1/status (services, exchanges, gaps) come from issue 9;
  // until a gateway serves them, readiness and the exchanges list stand in.
  const [health, ready, platform, exchanges, capacity, gaps] = await Promise.all([
    optional<Json>(client, "/health"),
    optional<Json>(client, "/health/ready"),
    optional<Json>(client, "/api/v1/status"),
    client.call(client.api.api.v1.exchanges.get()),
    optional<unknown>(client, "/api/v1/capacity"),
    optional<unknown>(client, "/api/v1/gaps"),
  ]);
  const report = {
    gateway: client.url,
    health: health ?? ready,
    status: platform,
    exchanges: exchanges.data,
    capacity,
    gaps,
  };
  const services = asList((platform as Json | null)?.services);
  const platformExchanges = asList((platform as Json | null)?.exchanges);
  // /api/v1/gaps lists open gaps; /api/v1/status counts gap events per exchange over a window.
  const gapCounts = (platform as { gaps?: { total?: number; windowMs?: number; byExchange?: Json[] } } | null)
    ?.gaps;
  const openGaps = asList(dataOf(gaps ?? (Array.isArray(gapCounts) ? gapCounts : [])));
  const bad = unhealthy(report.health) || services.some(unhealthy) || platformExchanges.some(unhealthy);

  if (ctx.json) {
    printJson(ctx.out, report);
    return bad ? EXIT.problem : EXIT.ok;
  }
  const out = ctx.out;
  out.write(`${paint(out, "bold", "gateway")} ${client.url}\n`);

  const checks = asList(
    (report.health as Json | null)?.checks ?? (report.health as Json | null)?.dependencies,
  );
  section(
    out,
    "health",
    checks.length > 0
      ? colouredTable(checks, out)
      : [
          paint(
            out,
            unhealthy(report.health) ? "red" : "green",
            unhealthy(report.health) ? "unhealthy" : "ok",
          ),
        ],
  );
  section(
    out,
    "services",
    services.length > 0 ? colouredTable(services, out) : ["(this gateway does not serve /api/v1/status)"],
  );

  // Exchanges: the status route's connection state and lag where served, with the source from /exchanges.
  const byId = new Map(platformExchanges.map((e) => [String(e.id ?? e.exchange ?? e.name), e]));
  const exRows = exchanges.data.map((e) => {
    const s = byId.get(e.id) ?? {};
    const { id: _id, exchange: _ex, name: _name, ...rest } = s;
    return { exchange: e.id, source: e.source, status: e.status, markets: e.markets, ...rest };
  });
  section(out, "exchanges", colouredTable(exRows, out));
  if (exchanges.simulated) out.write(`  ${paint(out, "yellow", exchanges.notice ?? "SIMULATED DATA")}\n`);

  const cap = asList(dataOf(capacity ?? []));
  section(
    out,
    "REST capacity",
    capacity === null
      ? ["(this gateway does not serve /api/v1/capacity)"]
      : cap.length
        ? recordsTable(cap, out)
        : ["–"],
  );
  section(
    out,
    "open gaps",
    gaps === null
      ? ["(this gateway does not serve /api/v1/gaps)"]
      : openGaps.length
        ? recordsTable(openGaps, out)
        : [paint(out, "green", "none")],
  );
  if (gapCounts && Array.isArray(gapCounts.byExchange)) {
    const hours = Math.round((gapCounts.windowMs ?? 86_400_000) / 3_600_000);
    section(
      out,
      `gap events (last ${hours} h)`,
      gapCounts.byExchange.length
        ? recordsTable(gapCounts.byExchange, out, ["exchange", "gaps"]).concat([
            `total ${gapCounts.total ?? 0}`,
          ])
        : [paint(out, "green", "none")],
    );
  }
  return bad ? EXIT.problem : EXIT.ok;
}
