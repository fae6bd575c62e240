import {
  ALERT_KINDS,
  type AlertFiring,
  type AlertKind,
  type AlertRule,
  type AlertRuleInput,
  dataOf,
  openGatewayStream,
} from "@tickerplant/client";
import { isMarketName } from "@tickerplant/core";
import { commandContext, printJson } from "../context.ts";
import { UsageError } from "../exit-codes.ts";
import { cellOf, fmtTime, paint, recordsTable } from "../output.ts";
import type { CommandIo } from "./types.ts";

export const ALERTS_USAGE = `alerts add --exchange ID --market M --kind KIND --threshold N [--window 5m] [--cooldown 1m] [--webhook URL]
      create a rule (needs an API key); prints its id. KIND: ${ALERT_KINDS.join(", ")}
  alerts list [--exchange ID] [--market M]
  alerts rm ID
  alerts log [ID] [--follow]
      stored firings (of one rule, or of every rule); --follow prints firings live as they happen`;

const DURATION_RE = /^\d+(ms|s|m|h|d)$/;

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
export function ruleFrom(v: Record<string, string | boolean | undefined>): AlertRuleInput {
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
  const raw = kind === "stale" && v.threshold === undefined ? "0" : need("threshold");
  const threshold = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(threshold))
    throw new UsageError(`--threshold must be a number, got "${raw}"`);
  const rule: AlertRuleInput = { exchange, market, kind: kind as AlertKind, threshold };
  for (const k of ["window", "cooldown"] as const) {
    const x = v[k];
    if (typeof x === "string") {
      if (!DURATION_RE.test(x))
        throw new UsageError(`--${k} must be a duration like 30s, 5m or 1h, got "${x}"`);
      rule[k] = x;
    }
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
    },
    io,
  );
  const rule = ruleFrom(ctx.values);
  const created = await ctx.client.request<{ id: string }>("POST", "/api/v1/alerts", { body: rule });
  const id = dataOf<{ id: string }>(created).id;
  if (ctx.json) printJson(ctx.out, { id, ...rule });
  else ctx.out.write(`${id}\n`);
  return 0;
}

async function list(args: string[], io: CommandIo): Promise<number> {
  const ctx = commandContext(args, { exchange: { type: "string" }, market: { type: "string" } }, io);
  const query: Record<string, string> = {};
  if (ctx.values.exchange) query.exchange = ctx.values.exchange;
  if (ctx.values.market) query.market = ctx.values.market.toUpperCase();
  const rules = dataOf<AlertRule[]>(await ctx.client.request("GET", "/api/v1/alerts", { query }));
  if (ctx.json) {
    printJson(ctx.out, rules);
    return 0;
  }
  if (rules.length === 0) {
    ctx.out.write("no alert rules\n");
    return 0;
  }
  const cols = ["id", "exchange", "market", "kind", "threshold", "window", "cooldown", "webhook"];
  ctx.out.write(`${recordsTable(rules, ctx.out, cols).join("\n")}\n`);
  return 0;
}

async function remove(args: string[], io: CommandIo): Promise<number> {
  const ctx = commandContext(args, {}, io);
  if (ctx.positionals.length !== 1) throw new UsageError("alerts rm: give exactly one rule id");
  const id = ctx.positionals[0]!;
  await ctx.client.request("DELETE", `/api/v1/alerts/${encodeURIComponent(id)}`);
  if (ctx.json) printJson(ctx.out, { id, deleted: true });
  else ctx.out.write(`deleted ${id}\n`);
  return 0;
}

function firingLine(f: AlertFiring, tty: boolean): string {
  const when = fmtTime(f.firedAt ?? f.ts);
  const what = [f.exchange, f.market, f.kind].filter(Boolean).join(" ");
  const value = f.value !== undefined ? ` value=${cellOf(f.value)}` : "";
  const threshold = f.threshold !== undefined ? ` threshold=${cellOf(f.threshold)}` : "";
  return `${when} ${paint({ tty, write() {} }, "yellow", "FIRED")} ${what}${value}${threshold}${f.ruleId ? ` rule=${f.ruleId}` : ""}`;
}

async function log(args: string[], io: CommandIo): Promise<number> {
  const ctx = commandContext(args, { follow: { type: "boolean", short: "f" } }, io);
  if (ctx.positionals.length > 1) throw new UsageError("alerts log: at most one rule id");
  const id = ctx.positionals[0];
  const rules = id
    ? [dataOf<AlertRule>(await ctx.client.request("GET", `/api/v1/alerts/${encodeURIComponent(id)}`))]
    : dataOf<AlertRule[]>(await ctx.client.request("GET", "/api/v1/alerts"));
  const firings: AlertFiring[] = [];
  for (const r of rules) {
    const list = dataOf<AlertFiring[]>(
      await ctx.client.request("GET", `/api/v1/alerts/${encodeURIComponent(r.id)}/firings`),
    );
    for (const f of list) firings.push({ ruleId: r.id, ...f });
  }
  const time = (f: AlertFiring) => Number(new Date((f.firedAt ?? f.ts ?? 0) as number | string));
  firings.sort((a, b) => time(a) - time(b));
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
      if (id && f.ruleId !== undefined && f.ruleId !== id) return;
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
