// Subscribe to normalized trades on NATS JetStream from another system (TypeScript, Bun or Node).
//   NATS_URL=nats://127.0.0.1:4222 bun examples/nats-subscriber.ts "md.trade.binance.>"
// Subjects and payloads: docs/asyncapi.json. An ordered consumer replays from `DeliverPolicy.New`
// (live only); use DeliverPolicy.StartTime or a durable consumer to resume where you left off.
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

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
    const msg = m.json<{ type: string; exchange: string; market: string; price?: number; ts: number }>();
    console.log(JSON.stringify({ seq: m.seq, subject: m.subject, ...msg }));
    if (++n >= limit) break;
  }
} else {
  // Any other subject: a plain subscription (live, best effort).
  let n = 0;
  for await (const m of nc.subscribe(subject)) {
    console.log(JSON.stringify({ subject: m.subject, ...m.json<Record<string, unknown>>() }));
    if (++n >= limit) break;
  }
}
await nc.close();
