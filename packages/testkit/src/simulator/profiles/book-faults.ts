/**
 * Order-book faults on command (`/_sim/book-fault`), for a client's sync procedure to detect:
 * - `gap`: the next update is lost on the way (its numbers are used, nothing arrives);
 * - `duplicate`: the next update arrives twice, numbers and all;
 * - `out-of-order`: the next two updates arrive swapped, each with its own numbers;
 * - `crossed`: the next update also carries a bid at the best ask, numbered as usual, so only a
 *   crossed-book guard (or a checksum) can tell.
 * A profile keeps one BookFaultQueue per stream that has its own numbering and passes every update
 * of that stream through it, in the order the updates are made.
 */

export type BookFault = "gap" | "duplicate" | "out-of-order" | "crossed";

export const BOOK_FAULTS: readonly BookFault[] = ["gap", "duplicate", "out-of-order", "crossed"];

export function isBookFault(v: string): v is BookFault {
  return (BOOK_FAULTS as readonly string[]).includes(v);
}

/** Sends an update that was already made (numbered, encoded) to its listeners. */
export type Delivery = () => void;

export class BookFaultQueue {
  private readonly pending: BookFault[] = [];
  /** An update held back by `out-of-order`: it goes out after the next one. */
  private held: Delivery | undefined;

  inject(fault: BookFault): void {
    this.pending.push(fault);
  }

  /** Faults not applied yet (a held update counts until it is sent). */
  get size(): number {
    return this.pending.length + (this.held ? 1 : 0);
  }

  /**
   * One update of the stream. `make(crossed)` makes it as usual (moving the stream's numbering) —
   * with a crossing bid added when asked — and returns how to send it; the queue sends it, or not,
   * as the next fault says.
   */
  pass(make: (crossed: boolean) => Delivery | undefined): void {
    const held = this.held;
    this.held = undefined;
    const fault = held ? undefined : this.pending.shift();
    const send = make(fault === "crossed");
    if (held) {
      send?.();
      held();
      return;
    }
    switch (fault) {
      case "gap":
        return;
      case "duplicate":
        send?.();
        send?.();
        return;
      case "out-of-order":
        this.held = send;
        return;
      default:
        send?.();
    }
  }
}

/**
 * The bids of an update plus a bid at the best ask (price and amount as the update's levels carry
 * them): applied, the best bid equals the best ask.
 */
export function crossingBids<L extends readonly [unknown, unknown]>(bids: readonly L[], bestAsk: L): L[] {
  return [bestAsk, ...bids.filter((l) => l[0] !== bestAsk[0])];
}
