import { TickerplantError, TransientError } from "@tickerplant/core";
import { upsertMarkets } from "@tickerplant/db";
import { type Logger, type Redis, type Sql, writeInstruments } from "@tickerplant/runtime";
import { Gauge, type Registry } from "prom-client";
import type { Source } from "./config.ts";
import type { ExchangeClients } from "./exchange-clients.ts";
import type { MarketsRefreshJob } from "./jobs.ts";

/** The exchange simulator marks every response with this header. */
export const SIMULATED_HEADER = "x-tickerplant-simulated";

/**
 * The markets-refresh job: fetch an exchange's market list through its weight budget, parse it
 * with the adapter, upsert it into SQL `markets`, labelled simulated when the simulator answered,
 * and replace the exchange's instruments in Redis (tick/lot size and contract value, which the
 * ingestors need to convert contract sizes).
 */
export class MarketsRefresh {
  private readonly loaded: Gauge;

  constructor(
    private readonly deps: {
      clients: ExchangeClients;
      sql: Sql;
      redis: Redis;
      source: Source;
      registry: Registry;
      log: Logger;
    },
  ) {
    this.loaded = new Gauge({
      name: "tickerplant_scheduler_markets_loaded",
      help: "markets stored by the last market list refresh, by exchange",
      labelNames: ["exchange"],
      registers: [deps.registry],
    });
  }

  readonly run = async (job: MarketsRefreshJob, signal: AbortSignal): Promise<number> => {
    const clients = this.deps.clients.get(job.exchange);
    if (clients === undefined || clients.length === 0) {
      throw new TickerplantError("unknown_exchange", `no REST client for exchange "${job.exchange}"`, false);
    }
    // Every market type's list (spot, perpetuals), each through its own metered endpoint.
    const markets = [];
    let simulated = false;
    for (const { adapter, executor, baseUrl } of clients) {
      const { body, headers } = await executor.execute(adapter.rest.marketsRequest(), signal);
      simulated = headers.get(SIMULATED_HEADER) === "1";
      this.checkSource(job.exchange, baseUrl, simulated);
      markets.push(...adapter.rest.parseMarkets(body));
    }
    let stored: number;
    try {
      stored = await upsertMarkets(
        this.deps.sql,
        markets.map((m) => ({ ...m, simulated })),
      );
    } catch (cause) {
      throw new TransientError("database", `storing ${markets.length} ${job.exchange} markets failed`, {
        cause,
      });
    }
    try {
      await writeInstruments(this.deps.redis, job.exchange, markets);
    } catch (cause) {
      throw new TransientError("redis", `storing ${markets.length} ${job.exchange} instruments failed`, {
        cause,
      });
    }
    this.loaded.set({ exchange: job.exchange }, stored);
    this.deps.log.info("markets refreshed", { exchange: job.exchange, markets: stored, simulated });
    return stored;
  };

  /** Simulated and live data are never mixed silently: a source of the wrong kind is an error. */
  private checkSource(exchange: string, url: string, simulated: boolean): void {
    const { source } = this.deps;
    if (source === "live" && simulated) {
      throw new TickerplantError(
        "source_mismatch",
        `SOURCE=live but ${exchange} REST at ${url} is the simulator`,
        false,
      );
    }
    if (source === "simulated" && !simulated) {
      throw new TickerplantError(
        "source_mismatch",
        `SOURCE=simulated but ${exchange} REST at ${url} is not the simulator`,
        false,
      );
    }
  }
}
