import { parseArgs } from "node:util";
import { followJob } from "./job-progress.ts";
import { gatewayUrl, JobsClient } from "./jobs-client.ts";

export const BACKFILL_USAGE = `  backfill --exchange <id> --market <M> [--interval 1m] --from <time> [--to <time>]
           [--kind candles|trades] [--priority immediate|short|medium|long] [--gateway URL] [--api-key K] [--no-follow]
      submits a backfill job through the gateway (TICKERPLANT_URL, TICKERPLANT_API_KEY) and shows its
      progress; Ctrl-C stops watching, the job goes on (times: ISO-8601 or epoch ms)`;

/** `tickerplant backfill`: submit, then follow. */
export async function backfill(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      exchange: { type: "string" },
      market: { type: "string" },
      interval: { type: "string", default: "1m" },
      from: { type: "string" },
      to: { type: "string" },
      kind: { type: "string", default: "candles" },
      priority: { type: "string" },
      gateway: { type: "string" },
      "api-key": { type: "string" },
      "no-follow": { type: "boolean", default: false },
    },
    strict: true,
  });
  if (!values.exchange || !values.market || !values.from) {
    console.error(`backfill needs --exchange, --market and --from\n\n${BACKFILL_USAGE}`);
    return 2;
  }
  if (values.kind !== "candles" && values.kind !== "trades") {
    console.error(`--kind must be candles or trades, got "${values.kind}"`);
    return 2;
  }
  const time = (v: string) => (/^[0-9]+$/.test(v) ? Number(v) : v);
  const client = new JobsClient(
    gatewayUrl(values.gateway),
    values["api-key"] ?? process.env.TICKERPLANT_API_KEY,
  );
  const job = await client.submit({
    kind: `${values.kind}-backfill`,
    exchange: values.exchange,
    market: values.market,
    ...(values.kind === "candles" ? { interval: values.interval } : {}),
    from: time(values.from),
    ...(values.to ? { to: time(values.to) } : {}),
    ...(values.priority ? { priority: values.priority } : {}),
  });
  console.log(
    JSON.stringify({ id: job.id, state: job.state, priority: job.priority, pagesTotal: job.pagesTotal }),
  );
  if (values["no-follow"]) return 0;
  return followJob(client, job.id, { err: process.stderr, tty: process.stderr.isTTY === true });
}
