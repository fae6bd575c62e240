// Subscribe to normalized trades on NATS JetStream from another system (TypeScript, Bun or Node).
//   NATS_URL=nats://127.0.0.1:4222 bun examples/nats-subscriber.ts "md.trade.binance.>"
// Subjects and payloads: docs/asyncapi.json. A market-data message may carry several events
// (header `Tp-Events: 1`, body NDJSON: one JSON event per line); without the header it is one event. An ordered consumer replays from `DeliverPolicy.New`
// (live only); use DeliverPolicy.StartTime or a durable consumer to resume where you left off.
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import { connect, type MsgHdrs } from "@nats-io/transport-node";

/** The events of one message: NDJSON under `Tp-Events: 1`, else one JSON value. */
function events(data: Uint8Array, headers?: MsgHdrs): Array<Record<string, unknown>> {
  const text = new TextDecoder().decode(data);
  const batched = headers?.get("Tp-Events") === "1";
  return (batched ? text.split("\n").filter(Boolean) : [text]).map((line) => JSON.parse(line));
}

const subject = process.argv[2] ?? "md.trade.>";
const limit = Number(process.argv[3] ?? Number.POSITIVE_INFINITY);
const nc = await connect({ servers: (process.env.NATS_URL ?? "nats://127.0.0.1:4222").split(",") });
const js = jetstream(nc);
const stream = subject.startsWith("md.trade.")
  ? "MD_TRADES"
  : subject.startsWith("an.")
    ? "ANALYTICS"
    : undefined;

if (stream) {
  // JetStream: no gaps while connected; the stream sequence tells where you are.
  const consumer = await js.consumers.get(stream, {
    filter_subjects: subject,
    deliver_policy: DeliverPolicy.New,
  });
  const messages = await consumer.consume();
  let n = 0;
  for await (const m of messages) {
    for (const event of events(m.data, m.headers)) {
      console.log(JSON.stringify({ seq: m.seq, subject: m.subject, ...event }));
      n++;
    }
    if (n >= limit) break;
  }
} else {
  // Any other subject: a plain subscription (live, best effort).
  let n = 0;
  for await (const m of nc.subscribe(subject)) {
    for (const event of events(m.data, m.headers)) {
      console.log(JSON.stringify({ subject: m.subject, ...event }));
      n++;
    }
    if (n >= limit) break;
  }
}
await nc.close();
