import type { GatewayClient } from "@tickerplant/client";
import type { CapacityScope, JobView } from "@tickerplant/core";
import type { Out } from "../output.ts";

const ENDED = new Set(["done", "failed", "cancelled"]);

/** One progress line: bar, pages, rows, rate, ETA and the exchange's current weight use. */
export function progressLine(job: JobView, rate: number, weight: string): string {
  const width = 24;
  const filled = Math.round((job.progress / 100) * width);
  const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
  const eta = job.etaSeconds === null ? "–" : `${job.etaSeconds}s`;
  return `[${bar}] ${job.progress.toFixed(1).padStart(5)}% ${job.state} pages ${job.pagesDone}/${job.pagesTotal} rows ${job.rowsWritten} ${Math.round(rate)} rows/s ETA ${eta} weight ${weight}`;
}

export function fetchJob(client: GatewayClient, id: string): Promise<JobView> {
  return client.call(client.api.api.v1.jobs({ id }).get());
}

async function capacity(client: GatewayClient): Promise<CapacityScope[]> {
  return (await client.call(client.api.api.v1.capacity.get())).data;
}

/**
 * Follows a job until it ends, redrawing one line on a terminal (a line per change otherwise).
 * An abort (ctrl-c) stops following only: the job goes on in the scheduler. Returns the exit code.
 */
export async function followJob(
  client: GatewayClient,
  id: string,
  io: { err: Out; signal: AbortSignal; intervalMs?: number },
): Promise<number> {
  let last = "";
  let prev: { at: number; rows: number } | undefined;
  const stopped = () => {
    io.err.write(
      `\njob ${id} keeps running in the scheduler; follow it with: tickerplant jobs --follow ${id}\n`,
    );
    return 130;
  };
  for (;;) {
    const job = await fetchJob(client, id);
    const now = Date.now();
    const rate = prev && now > prev.at ? ((job.rowsWritten - prev.rows) * 1000) / (now - prev.at) : 0;
    prev = { at: now, rows: job.rowsWritten };
    const scope = (await capacity(client).catch(() => [])).find(
      (c) =>
        c.exchange === job.exchange &&
        (job.market.endsWith("-PERP") ? c.scope !== c.exchange : c.scope === c.exchange),
    );
    const weight = scope ? `${scope.used}/${scope.limit} per ${scope.windowMs / 1000}s` : "?";
    const line = progressLine(job, rate, weight);
    if (io.err.tty) io.err.write(`\r\x1b[2K${line}`);
    else if (line !== last) io.err.write(`${line}\n`);
    last = line;
    if (ENDED.has(job.state)) {
      if (io.err.tty) io.err.write("\n");
      for (const e of job.errors) io.err.write(`error: ${e}\n`);
      if (job.detail) io.err.write(`${job.outcome ?? job.state}: ${job.detail}\n`);
      return job.state === "done" ? 0 : 1;
    }
    if (io.signal.aborted) return stopped();
    await Bun.sleep(io.intervalMs ?? 1000);
    if (io.signal.aborted) return stopped();
  }
}
