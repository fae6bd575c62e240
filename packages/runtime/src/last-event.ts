import type { JetStreamManager } from "@nats-io/jetstream";
import { decodeEvents, EVENTS_HEADER } from "@tickerplant/core";

/**
 * The newest stored event on one subject (JetStream `last_by_subj`; the last event of an event
 * batch) as its JSON text, or undefined when no stream holds the subject or nothing is on it.
 */
export async function lastEventOn(jsm: JetStreamManager, subject: string): Promise<string | undefined> {
  let stream: string;
  try {
    stream = await jsm.streams.find(subject);
  } catch {
    return undefined;
  }
  try {
    const m = await jsm.streams.getMessage(stream, { last_by_subj: subject });
    if (!m) return undefined;
    return decodeEvents(m.data, m.header?.get(EVENTS_HEADER) || undefined).at(-1);
  } catch (err) {
    if (/not found|no message/i.test(String((err as Error)?.message ?? err))) return undefined;
    throw err;
  }
}
