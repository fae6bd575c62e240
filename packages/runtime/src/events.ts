import type { MsgHdrs } from "@nats-io/transport-node";
import { decodeEvents, EVENTS_HEADER } from "@tickerplant/core";

/** The JSON texts of the events a NATS/JetStream message carries (see core's event-batch.ts). */
export function eventTexts(msg: { data: Uint8Array; headers?: MsgHdrs }): string[] {
  return decodeEvents(msg.data, msg.headers?.get(EVENTS_HEADER) || undefined);
}
