import { messageId } from "@tickerplant/core";
// nats.js is a dependency of the runtime only: reach it by path for the connection-option variant.
import { jetstream as jetstreamClient } from "../../packages/runtime/node_modules/@nats-io/jetstream/lib/mod.js";
import { connect } from "../../packages/runtime/node_modules/@nats-io/transport-node/lib/mod.js";
// The runtime is not a root dependency either.
import {
  connectNats,
  createLogger,
  createMetricsRegistry,
  JetStreamPublisher,
} from "../../packages/runtime/src/index.ts";
import type { CpuMeter } from "./cpu.ts";
import { type Measured, measure } from "./measure.ts";
import type { TradeFixtures } from "./trade-fixtures.ts";

/**
 * NATS without the platform: how fast this machine's nats-server takes trade-sized messages
 * (the normalized trades the ingestor publishes, pre-encoded).
 *  - jetstream: js.publish with a Nats-Msg-Id to a scratch file stream configured like MD_TRADES
 *    (file storage, 2 min dedup window), at most `window` unacknowledged, over the runtime's
 *    connectNats connection (what every service uses);
 *  - jetstreamNoAsyncTraces: the same on a connection with `noAsyncTraces: true` (nats.js then
 *    skips capturing two Error stacks per request);
 *  - runtimePublisher: the same through the runtime's JetStreamPublisher (the ingestor's class),
 *    called the way the ingestor calls it (not awaiting each publish);
 *  - core: plain publish (no stream, no ack) to a subject no stream captures, then one flush.
 */

export interface NatsBaseline {
  messageBytes: number;
  window: number;
  jetstream: Measured;
  jetstreamNoAsyncTraces: Measured;
  runtimePublisher: Measured;
  core: Measured;
}

const log = createLogger({ service: "bench", level: "error" });

/** Runs `count` sends with at most `window` unresolved at any time. */
async function windowed(count: number, window: number, send: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      while (next < count && next - done < window) {
        const i = next++;
        send(i).then(() => {
          done++;
          if (done === count) resolve();
          else pump();
        }, reject);
      }
    };
    pump();
  });
}

export async function natsBaseline(o: {
  url: string;
  run: string;
  fixtures: TradeFixtures;
  jetstreamMessages: number;
  coreMessages: number;
  window: number;
  cpu?: CpuMeter;
}): Promise<NatsBaseline> {
  const nats = await connectNats(o.url, "bench-baseline", log);
  const lean = await connect({ servers: o.url.split(","), name: "bench-baseline-lean", noAsyncTraces: true });
  const leanJs = jetstreamClient(lean);
  const stream = `BENCH_${o.run}`;
  const prefix = `bench.${o.run.toLowerCase()}`;
  const enc = new TextEncoder();
  const { trades, json } = o.fixtures;
  const payloads = json.map((j) => enc.encode(j));
  const subjects = trades.map((t) => `${prefix}.trade.${t.exchange}.${t.market}`);
  const ids = trades.map((t) => messageId(t));
  const n = Math.min(o.jetstreamMessages, payloads.length);
  try {
    await nats.jsm.streams.add({
      name: stream,
      subjects: [`${prefix}.>`],
      storage: "file" as never,
      num_replicas: 1,
      duplicate_window: 120_000_000_000,
      max_age: 600_000_000_000,
    });
    // Warm-up (JIT, connection buffers) on both connections.
    await windowed(2000, o.window, (i) =>
      nats.js.publish(`${prefix}.warmup`, payloads[i]!, { msgID: `w${i}` }),
    );
    await windowed(2000, o.window, (i) =>
      leanJs.publish(`${prefix}.warmup`, payloads[i]!, { msgID: `v${i}` }),
    );

    const jetstream = await measure(n, o.cpu, () =>
      windowed(n, o.window, (i) =>
        nats.js.publish(subjects[i]!, payloads[i]!, { msgID: ids[i]!, timeout: 10_000 }),
      ),
    );
    // Same messages with new ids each time (the stream would deduplicate repeated ones).
    await nats.jsm.streams.purge(stream);
    const jetstreamNoAsyncTraces = await measure(n, o.cpu, () =>
      windowed(n, o.window, (i) =>
        leanJs.publish(subjects[i]!, payloads[i]!, { msgID: `n${ids[i]}`, timeout: 10_000 }),
      ),
    );

    await nats.jsm.streams.purge(stream);
    const publisher = new JetStreamPublisher(nats, {
      maxInFlight: o.window,
      registry: createMetricsRegistry("bench"),
      log,
    });
    const runtimePublisher = await measure(n, o.cpu, async () => {
      for (let i = 0; i < n; i++) void publisher.publish(subjects[i]!, payloads[i]!, `r${ids[i]}`);
      // publisher.flush() can resolve while publishes still wait for the window (it only
      // watches the in-flight count): wait until the stream holds them all.
      while ((await nats.jsm.streams.info(stream)).state.messages < n) await Bun.sleep(20);
    });

    const coreSubject = `benchcore.${o.run.toLowerCase()}`; // outside every stream
    const core = await measure(o.coreMessages, o.cpu, async () => {
      for (let i = 0; i < o.coreMessages; i++) nats.nc.publish(coreSubject, payloads[i % payloads.length]!);
      await nats.nc.flush();
    });

    const messageBytes = Math.round(payloads.reduce((s, p) => s + p.byteLength, 0) / payloads.length);
    return { messageBytes, window: o.window, jetstream, jetstreamNoAsyncTraces, runtimePublisher, core };
  } finally {
    await nats.jsm.streams.delete(stream).catch(() => {});
    await lean.close();
    await nats.close();
  }
}
