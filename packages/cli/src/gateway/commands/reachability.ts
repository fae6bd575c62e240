import { GatewayError, openGatewayStream } from "@tickerplant/client";
import { commandContext, durationMs, printJson } from "../context.ts";
import { EXIT, UsageError } from "../exit-codes.ts";
import { fmtAge, paint } from "../output.ts";
import type { CommandIo } from "./types.ts";

export const TEST_USAGE = `test [--exchange a,b] [--wait 15s]
      is the gateway ready, is each ingested exchange (or its simulator) reached, and is its data
      flowing (a live message on the gateway WebSocket within --wait); exit 1 when a check fails`;

interface ExchangeCheck {
  exchange: string;
  source: string;
  sourceUrl: string | null;
  result: "pass" | "fail" | "skip";
  detail: string;
  messages: number;
  firstMessageMs: number | null;
}

export async function testSources(args: string[], io: CommandIo): Promise<number> {
  const ctx = commandContext(
    args,
    { exchange: { type: "string" }, wait: { type: "string", default: "15s" } },
    io,
  );
  const waitMs = durationMs("--wait", ctx.values.wait);
  const { client, out } = ctx;

  let ready: { ok: boolean; detail: string };
  try {
    await client.request("GET", "/health/ready");
    ready = { ok: true, detail: "ready" };
  } catch (err) {
    if (!(err instanceof GatewayError) || err.status === null) throw err;
    ready = { ok: false, detail: err.message };
  }

  const exchanges = (await client.call(client.api.api.v1.exchanges.get())).data;
  const named = ctx.values.exchange
    ?.split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  for (const e of named ?? [])
    if (!exchanges.some((x) => x.id === e))
      throw new UsageError(`unknown exchange "${e}" (known: ${exchanges.map((x) => x.id).join(", ")})`);
  const chosen = named ? exchanges.filter((e) => named.includes(e.id)) : exchanges;

  const checks = new Map<string, ExchangeCheck>(
    chosen.map((e) => [
      e.id,
      {
        exchange: e.id,
        source: e.source,
        sourceUrl: e.sourceUrl,
        result: e.source === "unknown" ? (named ? "fail" : "skip") : "fail",
        detail: e.source === "unknown" ? "not ingested: no ingestor has reported a source" : "",
        messages: 0,
        firstMessageMs: null,
      },
    ]),
  );
  const probed = [...checks.values()].filter((c) => c.source !== "unknown");
  if (probed.length > 0) {
    const t0 = performance.now();
    const channels = probed.flatMap((c) => [
      `trade:${c.exchange}:*`,
      `ticker:${c.exchange}:*`,
      `bbo:${c.exchange}:*`,
    ]);
    let resolveAll: () => void = () => {};
    const allFlowing = new Promise<void>((r) => {
      resolveAll = r;
    });
    const stream = openGatewayStream({
      url: client.url,
      apiKey: client.apiKey,
      channels,
      reconnect: false,
      onMessage: (m) => {
        if (m.snapshot) return; // a stored value says nothing about data flowing now
        const c = checks.get(m.channel.split(":")[1] ?? "");
        if (!c) return;
        c.messages++;
        if (c.firstMessageMs === null) c.firstMessageMs = performance.now() - t0;
        if (probed.every((p) => p.firstMessageMs !== null)) resolveAll();
      },
      onError: (e) => ctx.err.write(`gateway: ${e.code}: ${e.message}\n`),
    });
    try {
      await Promise.race([
        stream.ready.then(() => Promise.race([allFlowing, Bun.sleep(waitMs)])),
        new Promise((r) => ctx.signal.addEventListener("abort", r, { once: true })),
      ]);
    } finally {
      stream.close();
    }
    for (const c of probed) {
      const via = `${c.source}${c.sourceUrl ? ` ${c.sourceUrl}` : ""}`;
      if (c.firstMessageMs !== null) {
        c.result = "pass";
        c.detail = `reached (${via}), data flowing: first message after ${fmtAge(c.firstMessageMs)}`;
      } else {
        c.result = "fail";
        c.detail = `reported ${via}, but no live message within ${fmtAge(waitMs)}`;
      }
    }
  }

  const results = [...checks.values()];
  const failed = !ready.ok || results.some((c) => c.result === "fail") || probed.length === 0;
  if (ctx.json) {
    printJson(out, {
      gateway: { url: client.url, ready: ready.ok, detail: ready.detail },
      exchanges: results,
      ok: !failed,
    });
    return failed ? EXIT.problem : EXIT.ok;
  }
  const mark = (r: "pass" | "fail" | "skip") =>
    paint(out, r === "pass" ? "green" : r === "fail" ? "red" : "dim", r.toUpperCase().padEnd(4));
  out.write(`${mark(ready.ok ? "pass" : "fail")} gateway ${client.url}: ${ready.detail}\n`);
  for (const c of results) {
    const sim = c.source === "simulated" ? ` ${paint(out, "yellow", "[SIMULATED]")}` : "";
    out.write(`${mark(c.result)} ${c.exchange}${sim}: ${c.detail}\n`);
  }
  if (probed.length === 0) out.write(`${mark("fail")} no exchange is being ingested\n`);
  return failed ? EXIT.problem : EXIT.ok;
}
