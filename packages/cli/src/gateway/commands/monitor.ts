import {
  type ChannelMessage,
  dataOf,
  type GatewayClient,
  GatewayError,
  openGatewayStream,
} from "@tickerplant/client";
import { isMarketName } from "@tickerplant/core";
import { commandContext, durationMs, positiveNumber } from "../context.ts";
import { UsageError } from "../exit-codes.ts";
import { fmtAge, fmtNumber, type Out, paint, table } from "../output.ts";
import type { CommandIo } from "./types.ts";

export const MONITOR_USAGE = `monitor [MARKET ...] [--exchange a,b] [--refresh 1s] [--stale 30s] [--count N]
      live table of the markets (default BTC-USDT) on every exchange that has them: price, 24 h
      change, bid/ask spread, source (live/simulated) and feed state; redrawn in place on a terminal,
      plain lines when piped; --count stops after N refreshes`;

interface Row {
  exchange: string;
  market: string;
  last?: number;
  changePct?: number;
  bid?: number | null;
  ask?: number | null;
  simulated?: boolean;
  updatedAt: number;
  /** The last feed status event (gap, stale, disconnected, …) and when. */
  event?: { name: string; at: number };
  changed: boolean;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

export async function monitor(args: string[], io: CommandIo): Promise<number> {
  const ctx = commandContext(
    args,
    {
      exchange: { type: "string" },
      refresh: { type: "string", default: "1s" },
      stale: { type: "string", default: "30s" },
      count: { type: "string" },
    },
    io,
  );
  const markets = ctx.positionals.length > 0 ? ctx.positionals.map((m) => m.toUpperCase()) : ["BTC-USDT"];
  for (const m of markets)
    if (!isMarketName(m))
      throw new UsageError(`"${m}" is not a market name (expected BASE-QUOTE, e.g. BTC-USDT)`);
  const exchanges = ctx.values.exchange ? new Set(ctx.values.exchange.split(",").map((e) => e.trim())) : null;
  const refreshMs = durationMs("--refresh", ctx.values.refresh);
  const staleMs = durationMs("--stale", ctx.values.stale);
  const count = ctx.values.count === undefined ? Infinity : positiveNumber("--count", ctx.values.count);

  // The gateway must answer before a live table makes sense; also fetch where data comes from.
  const sources = await readSources(ctx);
  if (exchanges)
    for (const e of exchanges) if (!sources.has(e)) throw new UsageError(`unknown exchange "${e}"`);

  const rows = new Map<string, Row>();
  const row = (exchange: string, market: string): Row | null => {
    if (exchanges && !exchanges.has(exchange)) return null;
    const key = `${exchange}:${market}`;
    let r = rows.get(key);
    if (!r) {
      r = { exchange, market, updatedAt: 0, changed: true };
      rows.set(key, r);
    }
    return r;
  };
  const apply = (d: Record<string, unknown>, at: number) => {
    const r = row(String(d.exchange), String(d.market));
    if (!r) return;
    if (d.type === "ticker") {
      r.last = num(d.last);
      r.changePct = num(d.changePct);
      if (r.bid === undefined) r.bid = num(d.bid) ?? null;
      if (r.ask === undefined) r.ask = num(d.ask) ?? null;
    } else if (d.type === "bbo") {
      r.bid = num(d.bidPrice);
      r.ask = num(d.askPrice);
    } else if (d.type === "status") {
      r.event = { name: String(d.event), at };
      r.changed = true;
      return;
    }
    if (typeof d.simulated === "boolean") r.simulated = d.simulated;
    r.updatedAt = Math.max(r.updatedAt, at);
    r.changed = true;
  };

  // Latest stored tickers first, so the table is not empty until the next update.
  for (const market of markets) {
    try {
      const body = await ctx.client.call(ctx.client.api.api.v1.tickers.get({ query: { market } }));
      for (const t of dataOf<(Record<string, unknown> & { updatedAt: number | null })[]>(body))
        apply(t, t.updatedAt ?? Date.now());
    } catch (err) {
      if (!(err instanceof GatewayError && err.code === "unknown_market")) throw err;
    }
  }

  let socketState = "connecting";
  const stream = openGatewayStream({
    url: ctx.client.url,
    apiKey: ctx.client.apiKey,
    channels: markets.flatMap((m) => [`ticker:*:${m}`, `bbo:*:${m}`, `status:*:${m}`]),
    onMessage: (msg: ChannelMessage) => {
      // A stored snapshot keeps its own age; live messages are fresh now.
      const d = msg.data as Record<string, unknown>;
      apply(d, msg.snapshot ? (num(d.recvTs) ?? Date.now()) : Date.now());
    },
    onError: (e) => ctx.err.write(`gateway: ${e.code}: ${e.message}\n`),
    onState: (state, detail) => {
      socketState = state === "open" ? "live" : `disconnected (${detail}), reconnecting`;
    },
  });

  let refreshes = 0;
  let drawn = 0;
  try {
    await new Promise<void>((resolve) => {
      const onAbort = () => resolve();
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      const sourcesTimer = setInterval(() => {
        readSources(ctx).then(
          (s) => {
            for (const [k, v] of s) sources.set(k, v);
          },
          () => {},
        );
      }, 10_000);
      const timer = setInterval(() => {
        const now = Date.now();
        const list = [...rows.values()].sort((a, b) =>
          a.market === b.market ? a.exchange.localeCompare(b.exchange) : a.market.localeCompare(b.market),
        );
        if (ctx.out.tty) {
          drawn = redraw(ctx.out, list, sources, staleMs, now, socketState, markets, drawn);
          refreshes++;
        } else {
          const changed = list.filter((r) => r.changed);
          if (changed.length > 0) {
            for (const r of changed) ctx.out.write(`${plainLine(r, sources, staleMs, now, ctx.json)}\n`);
            refreshes++;
          }
        }
        for (const r of list) r.changed = false;
        if (refreshes >= count) {
          clearInterval(timer);
          clearInterval(sourcesTimer);
          ctx.signal.removeEventListener("abort", onAbort);
          resolve();
        }
      }, refreshMs);
      ctx.signal.addEventListener(
        "abort",
        () => {
          clearInterval(timer);
          clearInterval(sourcesTimer);
        },
        { once: true },
      );
    });
  } finally {
    stream.close();
  }
  return 0;
}

async function readSources(ctx: { client: GatewayClient }): Promise<Map<string, string>> {
  const body = await ctx.client.call(ctx.client.api.api.v1.exchanges.get());
  return new Map(body.data.map((e) => [e.id, e.source]));
}

function state(r: Row, staleMs: number, now: number): { text: string; colour: "green" | "yellow" | "red" } {
  if (r.event && r.event.at >= r.updatedAt && r.event.name !== "connected" && r.event.name !== "resync")
    return { text: r.event.name, colour: "red" };
  const age = now - r.updatedAt;
  if (r.updatedAt === 0) return { text: "no data", colour: "yellow" };
  if (age > staleMs) return { text: `stale ${fmtAge(age)}`, colour: "yellow" };
  return { text: `ok ${fmtAge(age)}`, colour: "green" };
}

function spreadOf(r: Row): { abs?: number; bps?: number } {
  if (typeof r.bid !== "number" || typeof r.ask !== "number" || r.bid <= 0) return {};
  const abs = r.ask - r.bid;
  return { abs, bps: (abs / ((r.ask + r.bid) / 2)) * 10_000 };
}

function sourceOf(r: Row, sources: Map<string, string>): string {
  if (r.simulated) return "simulated";
  return sources.get(r.exchange) ?? "unknown";
}

function plainLine(
  r: Row,
  sources: Map<string, string>,
  staleMs: number,
  now: number,
  json: boolean,
): string {
  const s = spreadOf(r);
  const st = state(r, staleMs, now);
  if (json)
    return JSON.stringify({
      ts: now,
      exchange: r.exchange,
      market: r.market,
      price: r.last ?? null,
      changePct: r.changePct ?? null,
      bid: r.bid ?? null,
      ask: r.ask ?? null,
      spread: s.abs ?? null,
      source: sourceOf(r, sources),
      state: st.text,
    });
  return [
    new Date(now).toISOString(),
    r.exchange,
    r.market,
    `price=${fmtNumber(r.last)}`,
    `change=${fmtNumber(r.changePct, 2)}%`,
    `bid=${fmtNumber(r.bid)}`,
    `ask=${fmtNumber(r.ask)}`,
    `spread=${fmtNumber(s.abs)}`,
    `source=${sourceOf(r, sources)}`,
    `state=${st.text.replace(" ", ":")}`,
  ].join(" ");
}

/** Redraws the table in place: cursor home, the lines, clear what is left of the old frame. */
function redraw(
  out: Out,
  rows: Row[],
  sources: Map<string, string>,
  staleMs: number,
  now: number,
  socket: string,
  markets: string[],
  drawn: number,
): number {
  const body = rows.map((r) => {
    const s = spreadOf(r);
    const st = state(r, staleMs, now);
    const src = sourceOf(r, sources);
    const change = r.changePct;
    return [
      r.exchange,
      r.market,
      fmtNumber(r.last),
      paint(
        out,
        change === undefined ? undefined : change >= 0 ? "green" : "red",
        `${fmtNumber(change, 2)}%`,
      ),
      fmtNumber(r.bid),
      fmtNumber(r.ask),
      fmtNumber(s.abs),
      fmtNumber(s.bps, 1),
      paint(out, src === "live" ? "green" : src === "simulated" ? "yellow" : "dim", src),
      paint(out, st.colour, st.text),
    ];
  });
  const lines = [
    `${paint(out, "bold", "tickerplant monitor")}  ${markets.join(" ")}  ${new Date(now).toISOString().slice(11, 19)} UTC  gateway: ${socket}`,
    "",
    ...(body.length > 0
      ? table(
          ["exchange", "market", "price", "24h", "bid", "ask", "spread", "bps", "source", "state"],
          body,
          out,
        )
      : ["waiting for data…"]),
    ...(rows.some((r) => sourceOf(r, sources) === "simulated")
      ? ["", paint(out, "yellow", "simulated: prices from the exchange simulator, not the real exchange")]
      : []),
    paint(out, "dim", "ctrl-c to quit"),
  ];
  out.write(`${drawn === 0 ? "\x1b[2J" : ""}\x1b[H${lines.map((l) => `${l}\x1b[K`).join("\n")}\n\x1b[J`);
  return drawn + 1;
}
