import { adapterForMarket, messageId, type RestPollName, subjectOf } from "@tickerplant/core";
import type { JetStreamPublisher, Logger } from "@tickerplant/runtime";
import { Counter, type Registry } from "prom-client";
import { SIMULATED_HEADER } from "./backfill/page.ts";
import type { ExchangeClients } from "./exchange-clients.ts";
import type { RestPollJob } from "./jobs.ts";

/** A poll covers this many of its periods back, so one missed or late poll leaves no hole. */
const WINDOW_PERIODS = 3;

/**
 * The rest-poll job: for every adapter of the exchange that has the named poll and every
 * configured market it serves, the poll's requests through the exchange's shared weight budget,
 * the adapter's parser, and the messages published on the normal md.* subjects (so the
 * storage-writer and the gateway see them as any other). A market that fails is logged and
 * counted and the others go on: the next period polls again.
 */
export class RestPoller {
  private readonly polls: Counter;
  private readonly published: Counter;

  constructor(
    private readonly deps: {
      clients: ExchangeClients;
      publisher: JetStreamPublisher;
      /** Normalized market names to poll, on the exchanges that serve them. */
      markets: readonly string[];
      registry: Registry;
      log: Logger;
    },
  ) {
    this.polls = new Counter({
      name: "tickerplant_scheduler_polls_total",
      help: "REST polls per market, by exchange, poll and outcome (ok, failed)",
      labelNames: ["exchange", "poll", "outcome"],
      registers: [deps.registry],
    });
    this.published = new Counter({
      name: "tickerplant_scheduler_poll_messages_total",
      help: "messages published by REST polls, by exchange and poll",
      labelNames: ["exchange", "poll"],
      registers: [deps.registry],
    });
  }

  /** The exchanges and polls some configured market can use: what is worth planning. */
  pollsOf(exchange: string): RestPollName[] {
    const names = new Set<RestPollName>();
    for (const { adapter } of this.deps.clients.get(exchange) ?? []) {
      if (!this.deps.markets.some((m) => adapterForMarket(exchange, m) === adapter)) continue;
      for (const p of adapter.rest.polls ?? []) names.add(p.name);
    }
    return [...names];
  }

  readonly run = async (job: RestPollJob, signal: AbortSignal): Promise<void> => {
    const to = Date.now();
    const from = job.scheduledAt - WINDOW_PERIODS * job.periodMs;
    for (const { adapter, executor } of this.deps.clients.get(job.exchange) ?? []) {
      const poll = adapter.rest.polls?.find((p) => p.name === job.poll);
      if (poll === undefined) continue;
      for (const market of this.deps.markets) {
        if (adapterForMarket(job.exchange, market) !== adapter) continue;
        const labels = { exchange: job.exchange, poll: job.poll };
        try {
          const bodies: unknown[] = [];
          let recvTs = 0;
          let simulated = false;
          for (const req of poll.requests({ market, from, to })) {
            // short: after gap heals, before bulk backfills
            const res = await executor.execute(req, signal, "short");
            bodies.push(res.body);
            recvTs = res.recvTs;
            simulated = res.headers.get(SIMULATED_HEADER) === "1";
          }
          const messages = poll.parse(bodies, { market, recvTs });
          for (const msg of messages) {
            if (simulated) msg.simulated = true;
            await this.deps.publisher.publish(subjectOf(msg), JSON.stringify(msg), messageId(msg));
          }
          this.published.inc(labels, messages.length);
          this.polls.inc({ ...labels, outcome: "ok" });
        } catch (err) {
          if (signal.aborted) throw err;
          this.polls.inc({ ...labels, outcome: "failed" });
          this.deps.log.warn("REST poll failed", { ...labels, market, err });
        }
      }
    }
    await this.deps.publisher.flush();
  };
}
