import type { ChannelType } from "@tickerplant/core";

/** One message from JetStream, ready to be framed for any number of clients. */
export interface Delivery {
  /** The concrete channel, e.g. `trade:binance:BTC-USDT`. */
  channel: string;
  type: ChannelType;
  /** The JetStream stream sequence. */
  seq: number;
  /** The normalized message as JSON text (validated as JSON once, shared by every client). */
  payload: string;
}

export type Sink = (d: Delivery) => void;
