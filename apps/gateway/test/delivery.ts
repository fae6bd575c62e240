import { eventPosition } from "@tickerplant/core";
import type { Delivery } from "../src/ws/delivery.ts";

/** A Delivery as the live feed makes it: the only event of its message. */
export function delivery(d: Omit<Delivery, "pos" | "value">): Delivery {
  return { ...d, pos: eventPosition(d.seq, 0), value: JSON.parse(d.payload) };
}
