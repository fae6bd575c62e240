import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { ReadinessCheck } from "./health.ts";
import type { Logger } from "./logger.ts";

export interface Nats {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  close(): Promise<void>;
}

/** JetStream API requests (stream, consumer and bucket management). */
export const JS_API_TIMEOUT_MS = 15_000;

export async function connectNats(url: string, name: string, log: Logger): Promise<Nats> {
  const nc = await connect({
    servers: url.split(","),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    // Two stack captures per request cost ~30 % of publish throughput; errors still say what failed.
    noAsyncTraces: true,
  });
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect" || s.type === "reconnect" || s.type === "error") {
        log.warn("nats connection status", { status: s.type });
      }
    }
  })();
  // Creating a replicated stream or bucket waits for its RAFT group: more than the 5 s default on
  // a busy cluster.
  const jsm = await jetstreamManager(nc, { timeout: JS_API_TIMEOUT_MS });
  const js = jetstream(nc);
  return {
    nc,
    js,
    jsm,
    close: async () => {
      if (!nc.isClosed()) await nc.drain();
    },
  };
}

export function natsCheck(nats: Nats): ReadinessCheck {
  return { name: "nats", check: () => nats.jsm.getAccountInfo() };
}
