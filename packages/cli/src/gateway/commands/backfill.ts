import type { JobView } from "@tickerplant/core";
import { commandContext } from "../context.ts";
import { UsageError } from "../exit-codes.ts";
import { followJob } from "./job-progress.ts";
import type { CommandIo } from "./types.ts";

export const BACKFILL_USAGE = `backfill --exchange ID --market M [--interval 1m] --from TIME [--to TIME]
           [--kind candles|trades] [--priority immediate|short|medium|long] [--no-follow]
      submits a backfill job (needs a write key) and shows its progress on stderr; ctrl-c stops
      watching, the job goes on (TIME: ISO-8601 or epoch ms)`;

/** `tickerplant backfill`: submit, print the job as one JSON line, then follow it. */
export async function backfill(args: string[], io: CommandIo): Promise<number> {
  const ctx = commandContext(
    args,
    {
      exchange: { type: "string" },
      market: { type: "string" },
      interval: { type: "string", default: "1m" },
      from: { type: "string" },
      to: { type: "string" },
      kind: { type: "string", default: "candles" },
      priority: { type: "string" },
      "no-follow": { type: "boolean", default: false },
    },
    io,
  );
  const v = ctx.values;
  if (!v.exchange || !v.market || !v.from)
    throw new UsageError("backfill needs --exchange, --market and --from");
  if (v.kind !== "candles" && v.kind !== "trades")
    throw new UsageError(`--kind must be candles or trades, got "${v.kind}"`);
  const time = (s: string) => (/^[0-9]+$/.test(s) ? Number(s) : s);
  const job: JobView = await ctx.client.call(
    ctx.client.api.api.v1.jobs.post({
      kind: `${v.kind}-backfill`,
      exchange: v.exchange,
      market: v.market,
      ...(v.kind === "candles" ? { interval: v.interval } : {}),
      from: time(v.from),
      ...(v.to ? { to: time(v.to) } : {}),
      ...(v.priority ? { priority: v.priority } : {}),
    }),
  );
  ctx.out.write(
    `${JSON.stringify({ id: job.id, state: job.state, priority: job.priority, pagesTotal: job.pagesTotal })}\n`,
  );
  if (v["no-follow"]) return 0;
  return followJob(ctx.client, job.id, { err: ctx.err, signal: ctx.signal });
}
