import type { ChannelType } from "@tickerplant/core";

/** One event from JetStream, ready to be framed for any number of clients. */
export interface Delivery {
  /** The concrete channel, e.g. `trade:binance:BTC-USDT`. */
  channel: string;
  type: ChannelType;
  /** The JetStream stream sequence of the message that carried the event (shared by its events). */
  seq: number;
  /** The event's place in the stream (`eventPosition(seq, index)`): orders events within a message too. */
  pos: number;
  /** The normalized message as JSON text (validated as JSON once, shared by every client). */
  payload: string;
  /** The parsed payload. */
  value: object;
  /** The data frame, made by the first client that sends it and shared by the others. */
  frame?: string;
}

export type Sink = (d: Delivery) => void;
