import type { Candle, ContractSpec, JobPriority, RestContext, Trade } from "@tickerplant/core";
import type { JobRecord } from "@tickerplant/db";
import type { ExchangeClient } from "../exchange-clients.ts";

/** A job's progress as stored after each page: what each pager needs to go on, and what it found. */
export type Checkpoint = Record<string, unknown>;

/** One page fetched: the rows to store, and the checkpoint that is true once they are stored. */
export interface FetchedPage {
  trades: Trade[];
  candles: Candle[];
  checkpoint: Checkpoint;
  /** REST weight spent on this page. */
  weight: number;
}

export interface PageContext {
  job: JobRecord;
  client: ExchangeClient;
  priority: JobPriority;
  signal: AbortSignal;
  /** The market's contract on contract-sized venues (sizes are converted to base units). */
  contract?: ContractSpec;
}

/** The parse context of a page fetched at `recvTs`. */
export function restContext(ctx: PageContext, recvTs: number): RestContext {
  return { recvTs, market: ctx.job.market, ...(ctx.contract ? { contract: ctx.contract } : {}) };
}

/**
 * Fetches a job's next page from its checkpoint; null when there is nothing left. Pure with respect
 * to storage: the runner stores the rows and the checkpoint together.
 */
export interface Pager {
  next(checkpoint: Checkpoint, ctx: PageContext): Promise<FetchedPage | null>;
}

/** The exchange simulator marks every response with this header. */
export const SIMULATED_HEADER = "x-tickerplant-simulated";

/** Runs one REST request at the job's priority; labels what it returns. */
export async function fetchPage(
  ctx: PageContext,
  req: Parameters<ExchangeClient["executor"]["execute"]>[0],
): Promise<{ body: unknown; recvTs: number; simulated: boolean }> {
  const { body, recvTs, headers } = await ctx.client.executor.execute(req, ctx.signal, ctx.priority);
  return { body, recvTs, simulated: headers.get(SIMULATED_HEADER) === "1" };
}

/** Marks fetched rows as REST-fetched (and simulated when the simulator answered). */
export function label<T extends Trade | Candle>(rows: T[], simulated: boolean): T[] {
  for (const r of rows) {
    r.backfilled = true;
    if (simulated) r.simulated = true;
  }
  return rows;
}
