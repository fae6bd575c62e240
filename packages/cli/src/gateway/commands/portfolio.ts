import { type GatewayClient, openGatewayStream } from "@tickerplant/client";
import type { Holding, PortfolioValuation } from "@tickerplant/core";
import { commandContext, printJson } from "../context.ts";
import { UsageError } from "../exit-codes.ts";
import { cellOf, fmtNumber, fmtTime, type Out, paint, table } from "../output.ts";
import type { CommandIo } from "./types.ts";

export const PORTFOLIO_USAGE = `portfolio add ASSET QUANTITY [--cost-basis N] [--id ID | --name NAME]
      add a holding (needs an API key): to portfolio ID, or to a new portfolio (printed id)
  portfolio show [ID]
      one portfolio valued at composite prices (value, P&L, allocation, 24 h change), or the list
  portfolio watch ID [--count N]
      the same, updated live from the portfolio:<id> channel`;

const ASSET_RE = /^[A-Z0-9]{1,20}$/;

/** A portfolio valued now (404 when there is none). */
async function valued(client: GatewayClient, id: string): Promise<PortfolioValuation> {
  return (await client.call(client.api.api.v1.portfolios({ id }).get())).data;
}

export async function portfolio(args: string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "add":
      return add(rest, io);
    case "show":
      return show(rest, io);
    case "watch":
      return watch(rest, io);
    default:
      throw new UsageError(
        sub ? `unknown portfolio command "${sub}" (add, show, watch)` : `usage:\n  ${PORTFOLIO_USAGE}`,
      );
  }
}

export function holdingFrom(positionals: string[], costBasis: string | undefined): Holding {
  if (positionals.length !== 2)
    throw new UsageError("portfolio add: give ASSET and QUANTITY, e.g. portfolio add BTC 0.5");
  const asset = positionals[0]!.toUpperCase();
  if (!ASSET_RE.test(asset)) throw new UsageError(`"${positionals[0]}" is not an asset symbol (e.g. BTC)`);
  const quantity = Number(positionals[1]);
  if (positionals[1]!.trim() === "" || !Number.isFinite(quantity) || quantity <= 0)
    throw new UsageError(`quantity must be a positive number, got "${positionals[1]}"`);
  const holding: Holding = { asset, quantity };
  if (costBasis !== undefined) {
    const c = Number(costBasis);
    if (costBasis.trim() === "" || !Number.isFinite(c) || c < 0)
      throw new UsageError(`--cost-basis must be a number ≥ 0, got "${costBasis}"`);
    holding.costBasis = c;
  }
  return holding;
}

async function add(args: string[], io: CommandIo): Promise<number> {
  const ctx = commandContext(
    args,
    { id: { type: "string" }, name: { type: "string" }, "cost-basis": { type: "string" } },
    io,
  );
  const holding = holdingFrom(ctx.positionals, ctx.values["cost-basis"]);
  if (ctx.values.id && ctx.values.name) throw new UsageError("portfolio add: --id or --name, not both");
  let id = ctx.values.id;
  const api = ctx.client.api.api.v1;
  if (id) await ctx.client.call(api.portfolios({ id }).holdings.post(holding));
  else
    id = (
      await ctx.client.call(api.portfolios.post({ name: ctx.values.name ?? "default", holdings: [holding] }))
    ).id;
  if (ctx.json) printJson(ctx.out, { id, holding });
  else ctx.out.write(`${id}\n`);
  return 0;
}

async function show(args: string[], io: CommandIo): Promise<number> {
  const ctx = commandContext(args, {}, io);
  if (ctx.positionals.length > 1) throw new UsageError("portfolio show: at most one portfolio id");
  const id = ctx.positionals[0];
  if (!id) {
    const list = (await ctx.client.call(ctx.client.api.api.v1.portfolios.get())).data;
    if (ctx.json) {
      printJson(ctx.out, list);
      return 0;
    }
    if (list.length === 0) {
      ctx.out.write("no portfolios\n");
      return 0;
    }
    const rows = list.map((p) => [
      p.id,
      cellOf(p.name),
      fmtNumber(p.value),
      fmtNumber(p.pnl),
      String(p.holdings.length),
    ]);
    ctx.out.write(`${table(["id", "name", "value", "P&L", "holdings"], rows, ctx.out).join("\n")}\n`);
    return 0;
  }
  const p = await valued(ctx.client, id);
  if (ctx.json) {
    printJson(ctx.out, p);
    return 0;
  }
  ctx.out.write(`${renderPortfolio(p, ctx.out).join("\n")}\n`);
  return 0;
}

const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** The portfolio as lines: a summary, then one row per holding. */
export function renderPortfolio(p: PortfolioValuation, out: Out): string[] {
  const pnl = n(p.pnl);
  const change = n(p.change24hPct);
  const pnlPct = n(p.pnlPct);
  const lines = [
    `${paint(out, "bold", `portfolio ${p.id}`)}${p.name ? ` (${p.name})` : ""}  value ${fmtNumber(n(p.value))}` +
      `  P&L ${paint(out, pnl === undefined ? undefined : pnl >= 0 ? "green" : "red", `${fmtNumber(pnl)}${pnlPct !== undefined ? ` (${fmtNumber(pnlPct, 2)}%)` : ""}`)}` +
      (change !== undefined
        ? `  24h ${paint(out, change >= 0 ? "green" : "red", `${fmtNumber(change, 2)}%`)}`
        : "") +
      `  at ${fmtTime(p.ts)}`,
  ];
  const rows = p.holdings.map((h) => [
    h.asset,
    fmtNumber(n(h.quantity)),
    fmtNumber(n(h.price)),
    fmtNumber(n(h.value)),
    fmtNumber(n(h.costBasis)),
    fmtNumber(n(h.pnl)),
    n(h.allocationPct) !== undefined ? `${fmtNumber(n(h.allocationPct), 1)}%` : "–",
    fmtNumber(n(h.change24h)),
  ]);
  if (rows.length > 0)
    lines.push(
      "",
      ...table(["asset", "quantity", "price", "value", "cost basis", "P&L", "alloc", "24h"], rows, out),
    );
  else lines.push("(no holdings)");
  if (p.unpriced.length)
    lines.push(paint(out, "yellow", `no live composite price for: ${p.unpriced.join(", ")}`));
  if (p.simulated)
    lines.push(paint(out, "yellow", "SIMULATED: valued at prices from the exchange simulator"));
  return lines;
}

async function watch(args: string[], io: CommandIo): Promise<number> {
  const ctx = commandContext(args, { count: { type: "string" } }, io);
  if (ctx.positionals.length !== 1) throw new UsageError("portfolio watch: give exactly one portfolio id");
  const id = ctx.positionals[0]!;
  const count = ctx.values.count === undefined ? Infinity : Number(ctx.values.count);
  if (!(count > 0)) throw new UsageError(`--count must be a positive number, got "${ctx.values.count}"`);
  // The REST read checks the id exists (404 → exit 4) and gives the first frame.
  let current = await valued(ctx.client, id);
  let shown = 0;
  let drawn = false;
  const draw = () => {
    if (ctx.json) ctx.out.write(`${JSON.stringify(current)}\n`);
    else if (ctx.out.tty) {
      ctx.out.write(
        `${drawn ? "\x1b[H" : "\x1b[2J\x1b[H"}${renderPortfolio(current, ctx.out)
          .map((l) => `${l}\x1b[K`)
          .join("\n")}\n\x1b[J`,
      );
      drawn = true;
    } else
      ctx.out.write(
        `${fmtTime(Date.now())} ${id} value=${fmtNumber(n(current.value))} pnl=${fmtNumber(n(current.pnl))}\n`,
      );
    shown++;
  };
  draw();
  if (shown >= count) return 0;
  await new Promise<void>((resolve) => {
    const stream = openGatewayStream({
      url: ctx.client.url,
      apiKey: ctx.client.apiKey,
      channels: [`portfolio:${id}`],
      onMessage: (m) => {
        current = m.data as PortfolioValuation;
        draw();
        if (shown >= count) done();
      },
      onError: (e) => ctx.err.write(`gateway: ${e.code}: ${e.message}\n`),
    });
    const done = () => {
      stream.close();
      resolve();
    };
    ctx.signal.addEventListener("abort", done, { once: true });
  });
  return 0;
}
