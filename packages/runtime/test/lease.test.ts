import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { waitFor } from "@tickerplant/testkit";
import { Lease } from "../src/lease.ts";
import { createLogger } from "../src/logger.ts";
import { connectNats, type Nats } from "../src/nats.ts";
import { NATS_URL, uniqueName } from "./env.ts";

const log = createLogger({ service: "test", level: "error" });
let nats: Nats;

beforeAll(async () => {
  nats = await connectNats(NATS_URL, "lease-test", log);
});

afterAll(async () => {
  await nats.close();
});

/** How long until `l` holds the lease, polled every 20 ms for up to 10 s. */
async function msUntilHeld(what: string, l: Lease): Promise<number> {
  const started = Date.now();
  await waitFor(what, () => l.held, { timeoutMs: 10_000, stepMs: 20 });
  return Date.now() - started;
}

function lease(name: string, holder: string, changes: boolean[]): Lease {
  return new Lease({
    nats,
    name,
    holder,
    ttlMs: 1000,
    renewMs: 200,
    log,
    onChange: (held) => void changes.push(held),
  });
}

describe("Lease (NATS KV)", () => {
  test("one holder at a time; a standby takes over once renewals stop; a graceful stop hands over at once", async () => {
    const name = uniqueName("lease");
    const a: boolean[] = [];
    const b: boolean[] = [];
    const la = lease(name, "a", a);
    const lb = lease(name, "b", b);
    await la.start();
    await lb.start();
    expect(la.held).toBe(true);
    await Bun.sleep(600);
    expect(lb.held).toBe(false); // a renews: b stays standby
    // a stops renewing without releasing (as after kill -9): b takes over after the TTL.
    (la as unknown as { timer: Timer }).timer && clearInterval((la as unknown as { timer: Timer }).timer);
    const waited = await msUntilHeld("b holds the lease", lb);
    expect(waited).toBeGreaterThan(400);
    expect(waited).toBeLessThan(3000);
    expect(la.held).toBe(false); // a's last renewal is too old for it to act
    expect(b).toEqual([true]);

    // A graceful stop deletes the lease: a third replica takes over within a renewal period or two.
    const c: boolean[] = [];
    const lc = lease(name, "c", c);
    await lc.start();
    expect(lc.held).toBe(false);
    await lb.stop();
    const handover = await msUntilHeld("c holds the lease", lc);
    expect(handover).toBeLessThan(1000);
    await lc.stop();
    await la.stop();
  }, 20_000);
});
