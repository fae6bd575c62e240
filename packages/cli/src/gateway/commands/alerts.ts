import { openGatewayStream } from "@tickerplant/client";
import {
  ALERT_KINDS,
  type AlertCreate,
  type AlertFiring,
  type AlertKind,
  isMarketName,
} from "@tickerplant/core";
import { commandContext, printJson } from "../context.ts";
import { UsageError } from "../exit-codes.ts";
import { cellOf, fmtTime, paint, recordsTable } from "../output.ts";
import type { CommandIo } from "./types.ts";

export const ALERTS_USAGE = `alerts add --exchange ID --market M --kind KIND --threshold N [--window 5m] [--cooldown 60s]
             [--webhook URL [--webhook-secret S]]
      create a rule (needs a write key); prints its id (and the generated webhook secret, shown once).
      KIND: ${ALERT_KINDS.join(", ")} (stale takes no threshold)
  alerts list [--exchange ID] [--market M]
  alerts rm ID
  alerts log [ID] [--follow]
      stored firings (of one rule, or of every rule); --follow prints firings live as they happen`;

const WINDOW_RE = /^\d{1,5}(s|m|h)$/;
const COOLDOWN_RE = /^(\d{1,6})(s|m|h)?$/;

export async function alerts(args: string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "add":
      return add(rest, io);
    case "list":
    case "ls":
      return list(rest, io);
    case "rm":
    case "remove":
      return remove(rest, io);
    case "log":
      return log(rest, io);
    default:
      throw new UsageError(
        sub ? `unknown alerts command "${sub}" (add, list, rm, log)` : `usage:\n  ${ALERTS_USAGE}`,
      );
  }
}

/** Checks a rule before it leaves: the gateway checks again, this only gives a faster, clearer error. */
export function ruleFrom(v: Record<string, string | boolean | undefined>): AlertCreate {
  const need = (k: string) => {
    const x = v[k];
    if (typeof x !== "string" || x.trim() === "") throw new UsageError(`alerts add: --${k} is required`);
    return x.trim();
  };
  const exchange = need("exchange");
  const market = need("market").toUpperCase();
  if (!isMarketName(market))
    throw new UsageError(`"${market}" is not a market name (expected BASE-QUOTE, e.g. BTC-USDT)`);
  const kind = need("kind");
  if (!ALERT_KINDS.includes(kind as AlertKind))
    throw new UsageError(`unknown alert kind "${kind}" (one of ${ALERT_KINDS.join(", ")})`);
  const rule: AlertCreate = { exchange, market, kind: kind as AlertKind };
  if (kind !== "stale" || v.threshold !== undefined) {
    const raw = need("threshold");
    const threshold = Number(raw);
    if (!Number.isFinite(threshold)) throw new UsageError(`--threshold must be a number, got "${raw}"`);
    rule.threshold = threshold;
  }
  if (typeof v.window === "string") {
    if (!WINDOW_RE.test(v.window))
      throw new UsageError(`--window must be a duration like 30s, 5m or 1h, got "${v.window}"`);
    rule.window = v.window;
  }
  if (typeof v.cooldown === "string") {
    const m = COOLDOWN_RE.exec(v.cooldown);
    if (!m)
      throw new UsageError(
        `--cooldown must be seconds or a duration like 90s, 5m or 1h, got "${v.cooldown}"`,
      );
    rule.cooldown = Number(m[1]) * ({ s: 1, m: 60, h: 3600 }[m[2] ?? "s"] ?? 1);
  }
  if (typeof v.webhook === "string") {
    let u: URL;
    try {
      u = new URL(v.webhook);
    } catch {
      throw new UsageError(`--webhook must be an http(s) URL, got "${v.webhook}"`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:")
      throw new UsageError(`--webhook must be an http(s) URL, got "${v.webhook}"`);
    rule.webhook = v.webhook;
  }
  if (typeof v["webhook-secret"] === "string") {
    if (rule.webhook === undefined) throw new UsageError("--webhook-secret needs --webhook");
    rule.webhookSecret = v["webhook-secret"];
  }
  return rule;
}

async function add(args: string[], io: CommandIo): Promise<number> {
  const ctx = commandContext(
    args,
    {
      exchange: { type: "string" },
      market: { type: "string" },
      kind: { type: "string" },
      threshold: { type: "string" },
      window: { type: "string" },
      cooldown: { type: "string" },
      webhook: { type: "string" },
      "webhook-secret": { type: "string" },
    },
    io,
  );
  const rule = ruleFrom(ctx.values);
  const created = await ctx.client.call(ctx.client.api.api.v1.alerts.post(rule));
  if (ctx.json) printJson(ctx.out, created);
  else {
    ctx.out.write(`${created.id}\n`);
    // The generated signing key is returned once: say so where a person will see it.
    if (created.webhookSecret && !rule.webhookSecret)
      ctx.err.write(`webhook secret (shown once, verify signatures with it): ${created.webhookSecret}\n`);
  }
  return 0;
}

async function list(args: string[], io: CommandIo): Promise<number> {
  const ctx = commandContext(args, { exchange: { type: "string" }, market: { type: "string" } }, io);
  const query = {
    ...(ctx.values.exchange ? { exchange: ctx.values.exchange } : {}),
    ...(ctx.values.market ? { market: ctx.values.market.toUpperCase() } : {}),
  };
  const rules = (await ctx.client.call(ctx.client.api.api.v1.alerts.get({ query }))).data;
  if (ctx.json) {
    printJson(ctx.out, rules);
    return 0;
  }
  if (rules.length === 0) {
    ctx.out.write("no alert rules\n");
    return 0;
  }
  const cols = [
    "id",
    "exchange",
    "market",
    "kind",
    "threshold",
    "window",
    "cooldown",
    "armed",
    "lastFiredAt",
    "webhook",
  ];
  const rows = rules.map((r) => ({
    ...r,
    lastFiredAt: r.lastFiredAt === null ? null : fmtTime(r.lastFiredAt),
  }));
  ctx.out.write(`${recordsTable(rows, ctx.out, cols).join("\n")}\n`);
  return 0;
}

async function remove(args: string[], io: CommandIo): Promise<number> {
  const ctx = commandContext(args, {}, io);
  if (ctx.positionals.length !== 1) throw new UsageError("alerts rm: give exactly one rule id");
  const id = ctx.positionals[0]!;
  await ctx.client.call(ctx.client.api.api.v1.alerts({ id }).delete());
  if (ctx.json) printJson(ctx.out, { id, deleted: true });
  else ctx.out.write(`deleted ${id}\n`);
  return 0;
}

function firingLine(f: AlertFiring, tty: boolean): string {
  const what = `${f.exchange} ${f.market} ${f.kind}`;
  const value = f.value !== null ? ` value=${cellOf(f.value)}` : "";
  const threshold = f.threshold !== null ? ` threshold=${cellOf(f.threshold)}` : "";
  return `${fmtTime(f.ts)} ${paint({ tty, write() {} }, "yellow", "FIRED")} ${what}${value}${threshold} rule=${f.alertId}${f.simulated ? " [SIMULATED]" : ""}`;
}

async function log(args: string[], io: CommandIo): Promise<number> {
  const ctx = commandContext(args, { follow: { type: "boolean", short: "f" } }, io);
  if (ctx.positionals.length > 1) throw new UsageError("alerts log: at most one rule id");
  const id = ctx.positionals[0];
  const api = ctx.client.api.api.v1;
  const rules = id
    ? [(await ctx.client.call(api.alerts({ id }).get())).data]
    : (await ctx.client.call(api.alerts.get())).data;
  const firings: AlertFiring[] = [];
  for (const r of rules)
    firings.push(...(await ctx.client.call(api.alerts({ id: r.id }).firings.get())).data);
  firings.sort((a, b) => a.ts - b.ts);
  if (ctx.json && !ctx.values.follow) {
    printJson(ctx.out, firings);
    return 0;
  }
  for (const f of firings) ctx.out.write(`${ctx.json ? JSON.stringify(f) : firingLine(f, ctx.out.tty)}\n`);
  if (!ctx.values.follow) {
    if (firings.length === 0 && !ctx.json) ctx.out.write("no firings\n");
    return 0;
  }
  // Live: every alert channel (or the one rule's market), until interrupted.
  const rule = id ? rules[0] : undefined;
  const channel = rule?.exchange && rule.market ? `alert:${rule.exchange}:${rule.market}` : "alert:*:*";
  const stream = openGatewayStream({
    url: ctx.client.url,
    apiKey: ctx.client.apiKey,
    channels: [channel],
    onMessage: (m) => {
      const f = m.data as AlertFiring;
      if (id && f.alertId !== id) return;
      ctx.out.write(`${ctx.json ? JSON.stringify(f) : firingLine(f, ctx.out.tty)}\n`);
    },
    onError: (e) => ctx.err.write(`gateway: ${e.code}: ${e.message}\n`),
  });
  await stream.ready;
  if (!ctx.json) ctx.err.write(`following ${channel} (ctrl-c to stop)\n`);
  await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
  stream.close();
  return 0;
}
