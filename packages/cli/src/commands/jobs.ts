import { parseArgs } from "node:util";
import { followJob } from "./job-progress.ts";
import { gatewayUrl, JobsClient } from "./jobs-client.ts";

export const JOBS_USAGE = `  jobs [--state queued|running|done|failed|cancelled] [--follow <id>] [--gateway URL]
      lists the scheduler's jobs (newest first), or follows one until it ends`;

/** `tickerplant jobs`: list, or follow one. */
export async function jobs(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      state: { type: "string" },
      follow: { type: "string" },
      gateway: { type: "string" },
      "api-key": { type: "string" },
    },
    strict: true,
  });
  const client = new JobsClient(
    gatewayUrl(values.gateway),
    values["api-key"] ?? process.env.TICKERPLANT_API_KEY,
  );
  if (values.follow)
    return followJob(client, values.follow, { err: process.stderr, tty: process.stderr.isTTY === true });
  for (const j of await client.jobs(values.state)) {
    console.log(
      [
        j.id,
        j.state.padEnd(9),
        j.kind.padEnd(16),
        `${j.exchange}:${j.market}${j.interval ? `:${j.interval}` : ""}`,
        `${j.progress.toFixed(1)}%`,
        `rows=${j.rowsWritten}`,
        j.outcome ?? "",
      ].join("  "),
    );
  }
  return 0;
}
