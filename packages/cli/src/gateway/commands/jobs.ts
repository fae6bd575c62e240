import { JOB_STATES, type JobState } from "@tickerplant/core";
import { commandContext, printJson } from "../context.ts";
import { UsageError } from "../exit-codes.ts";
import { followJob } from "./job-progress.ts";
import type { CommandIo } from "./types.ts";

export const JOBS_USAGE = `jobs [--state ${JOB_STATES.join("|")}] [--follow ID]
      the scheduler's jobs (newest first), or follows one until it ends`;

/** `tickerplant jobs`: list, or follow one. */
export async function jobs(args: string[], io: CommandIo): Promise<number> {
  const ctx = commandContext(args, { state: { type: "string" }, follow: { type: "string" } }, io);
  const { state, follow } = ctx.values;
  if (follow) return followJob(ctx.client, follow, { err: ctx.err, signal: ctx.signal });
  if (state !== undefined && !(JOB_STATES as readonly string[]).includes(state))
    throw new UsageError(`--state must be one of ${JOB_STATES.join(", ")}, got "${state}"`);
  const list = (
    await ctx.client.call(
      ctx.client.api.api.v1.jobs.get({ query: state ? { state: state as JobState } : {} }),
    )
  ).data;
  if (ctx.json) {
    printJson(ctx.out, list);
    return 0;
  }
  if (list.length === 0) ctx.out.write("no jobs\n");
  for (const j of list)
    ctx.out.write(
      `${[
        j.id,
        j.state.padEnd(9),
        j.kind.padEnd(16),
        `${j.exchange}:${j.market}${j.interval ? `:${j.interval}` : ""}`,
        `${j.progress.toFixed(1)}%`,
        `rows=${j.rowsWritten}`,
        j.outcome ?? "",
      ].join("  ")}\n`,
    );
  return 0;
}
