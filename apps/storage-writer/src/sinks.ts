import type { Bbo, Candle, Deriv, Liquidation, Status, Ticker, Trade } from "@tickerplant/core";
import {
  insertDerivs,
  insertLiquidations,
  insertStatusEvents,
  insertTickers,
  insertTrades,
  upsertCandles,
} from "@tickerplant/db";
import type { Logger, Sql } from "@tickerplant/runtime";
import type { DerivState } from "./deriv-state.ts";
import type { Envelope } from "./envelope.ts";
import type { LatestState } from "./latest-state.ts";
import type { StorageMetrics } from "./metrics.ts";
import { TableWriter, type WriteRows } from "./table-writer.ts";
import { TickerSampler } from "./ticker-sampler.ts";
import type { TradeCopier } from "./trade-copier.ts";

/** Makes one consumer's batch durable; BatchConsumer acks the batch once it resolves. */
export type Sink<T extends Trade | Candle | Status | Ticker | Bbo | Deriv | Liquidation> = (
  batch: Envelope<T>[],
) => Promise<void>;

interface SinkDeps {
  sql: Sql;
  metrics: StorageMetrics;
  log: Logger;
}

/** Trades: by COPY when a copier is given (TradeCopier), else INSERT … unnest. */
export function tradeSink(deps: SinkDeps & { copier?: TradeCopier }): Sink<Trade> {
  const copier = deps.copier;
  const write: WriteRows<Trade> = copier ? (sql, rows) => copier.write(sql, rows) : insertTrades;
  const writer = new TableWriter<Trade>({ ...deps, table: "trades", write });
  return async (batch) => void (await writer.write(batch.map((e) => e.msg)));
}

export function candleSink(deps: SinkDeps): Sink<Candle> {
  const writer = new TableWriter<Candle>({ ...deps, table: "candles", write: upsertCandles });
  return async (batch) => void (await writer.write(batch.map((e) => e.msg)));
}

export function statusSink(deps: SinkDeps): Sink<Status> {
  const writer = new TableWriter<Status>({ ...deps, table: "status_events", write: insertStatusEvents });
  return async (batch) => void (await writer.write(batch.map((e) => e.msg)));
}

/**
 * Tickers: every one goes to the Redis latest state, and they are sampled into the `tickers`
 * history table. SQL first, then Redis: a Redis failure naks the batch and the redelivered rows
 * are skipped as duplicates.
 */
export function tickerSink(deps: SinkDeps & { latest: LatestState; tickerSampleMs: number }): Sink<Ticker> {
  const sampleMs = deps.tickerSampleMs;
  const writer = new TableWriter<Ticker>({
    ...deps,
    table: "tickers",
    write: (sql, rows) => insertTickers(sql, rows, { sampleMs }),
  });
  const sampler = new TickerSampler(sampleMs);
  return async (batch) => {
    const sample = sampler.pick(batch.map((e) => e.msg));
    await writer.write(sample.rows);
    sample.commit();
    await deps.latest.write(batch);
  };
}

/** Best bid/offer: latest state only (the book history lives in MD_BOOKS and book snapshots). */
export function bboSink(deps: { latest: LatestState }): Sink<Bbo> {
  return (batch) => deps.latest.write(batch);
}

export function liquidationSink(deps: SinkDeps): Sink<Liquidation> {
  const writer = new TableWriter<Liquidation>({ ...deps, table: "liquidations", write: insertLiquidations });
  return async (batch) => void (await writer.write(batch.map((e) => e.msg)));
}

/**
 * Derivatives: every message is a row of `derivs` and is merged into the Redis state
 * `deriv:<ex>:<mkt>` (a message may carry only some values). SQL first, then Redis, as for tickers.
 */
export function derivSink(deps: SinkDeps & { derivState: DerivState }): Sink<Deriv> {
  const writer = new TableWriter<Deriv>({ ...deps, table: "derivs", write: insertDerivs });
  return async (batch) => {
    await writer.write(batch.map((e) => e.msg));
    await deps.derivState.write(batch);
  };
}
