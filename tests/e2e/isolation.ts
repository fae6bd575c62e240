import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

/**
 * Each end-to-end run gets its own durable consumers (a prefix, starting at "new"), so a platform
 * running on the same NATS — or an earlier run's backlog — never takes or delays this run's
 * messages. `removeConsumers` deletes them afterwards. The scheduler's gap heal waits for this
 * run's writer (WRITER_CONSUMER_PREFIX), not for a writer of that name elsewhere.
 */
export function isolatedConsumers(run: string): Record<string, string> {
  return {
    CONSUMER_PREFIX: `e2e${run}`,
    CONSUMER_START: "new",
    CONSUMER_NAME: `e2e${run}-stats`,
    WRITER_CONSUMER_PREFIX: `e2e${run}`,
  };
}

export async function removeConsumers(natsUrl: string, run: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const stream of jsm.streams.list()) {
      for await (const c of jsm.consumers.list(stream.config.name)) {
        if (c.name.startsWith(`e2e${run}`))
          await jsm.consumers.delete(stream.config.name, c.name).catch(() => {});
      }
    }
  } finally {
    await nc.close();
  }
}
