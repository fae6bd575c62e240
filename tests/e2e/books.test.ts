/**
 * Order books end to end for every exchange the simulator speaks and the adapters keep books for:
 * simulator profile → ingestor (a real process, CHANNELS=book) → md.book / md.status → a consumer's
 * BookReplica. For one spot market (and one perpetual where the exchange has them) the simulator
 * injects each book fault (gap, duplicate, out-of-order, crossed) into its own protocol; the test
 * shows the fault detected for that market only (a status event with the exchange's reason), the
 * market resynced within a second (status → next snapshot on md.book), and the replica's top 20
 * equal to the simulator's true book once the market is quiet.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Book, BookReplica, getExchange, type Status } from "@tickerplant/core";
import { connectNats, createLogger, eventTexts, type Nats } from "@tickerplant/runtime";
import {
  BOOK_FAULTS,
  type BookFault,
  PROFILES,
  type ServiceProcess,
  type StartedSimulator,
  startService,
  startSimulator,
  waitFor,
} from "@tickerplant/testkit";

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const RUN = Date.now().toString(36).toUpperCase();
const DEPTH = 20;
const RESYNC_LIMIT_MS = 1000;
/** Time since the last resync before the next fault. */
const QUIET_MS = 1000;
/** Trades in the update a fault hits. */
const BURST = 25;
const log = createLogger({ service: "books-e2e", level: "error" });

/**
 * How each exchange's documented rule sees each fault: the reasons a detection may carry, or
 * "benign" when the rule must absorb it without a resync.
 * - sequence rules (Binance U/u and pu, Bybit u, OKX prevSeqId, BingX lastUpdateId, WhiteBIT
 *   past_update_id): a lost or swapped update is a gap; a repeat is stale and ignored;
 * - Coinbase numbers every frame of a connection: a lost or swapped frame is a connection sequence
 *   gap; a repeated frame loses nothing and its absolute levels change nothing;
 * - Kraken has no sequence numbers: a lost or swapped update fails the next checksum, a crossing
 *   level fails the checksum before the crossed guard sees it, a repeat is idempotent;
 * - a crossing level with valid numbering is caught by the crossed-book guard.
 */
type Reason = "gap" | "checksum" | "crossed" | "reset" | "sequence" | "bridge";
type Expectation = Record<BookFault, readonly Reason[] | "benign">;
const SEQUENCED: Expectation = {
  gap: ["gap"],
  duplicate: "benign",
  "out-of-order": ["gap"],
  crossed: ["crossed"],
};
const EXPECTED: Record<string, Expectation> = {
  binance: SEQUENCED,
  bybit: SEQUENCED,
  okx: SEQUENCED,
  bingx: SEQUENCED,
  whitebit: SEQUENCED,
  coinbase: { gap: ["sequence"], duplicate: "benign", "out-of-order": ["sequence"], crossed: ["crossed"] },
  kraken: {
    gap: ["checksum"],
    duplicate: "benign",
    "out-of-order": ["checksum"],
    crossed: ["checksum", "crossed"],
  },
};

/** The reason a status event gives for a break, or undefined for other events (resync done, connected). */
function reasonOf(s: Status): Reason | undefined {
  // a REST snapshot the next delta cannot bridge is fetched again: part of a resync, not a new fault
  if (/^book gap: first delta .* does not span snapshot/.test(s.detail ?? "")) return "bridge";
  const book = /^book (gap|checksum|crossed|reset|buffer_overflow):/.exec(s.detail ?? "");
  if (book) return book[1] as Reason;
  if (s.event === "gap" && /^connection sequence skipped/.test(s.detail ?? "")) return "sequence";
  return undefined;
}

interface Feed {
  replica: BookReplica;
  snapshots: number[];
  deltas: number;
}

interface Arrival {
  at: number;
  status: Status;
}

/** Per-exchange results, printed at the end. */
const results: Array<{
  exchange: string;
  market: string;
  fault: BookFault;
  detectedAs: string;
  resyncMs: string;
}> = [];

let nats: Nats;

beforeAll(async () => {
  nats = await connectNats(NATS_URL, "books-e2e", log);
});

afterAll(async () => {
  await nats?.close();
  if (results.length > 0) console.table(results);
});

let port = 19551;
for (const id of Object.keys(PROFILES)) {
  const adapters = (getExchange(id)?.adapters ?? []).filter((a) => a.bookSync);
  if (adapters.length === 0) continue;
  const expected = EXPECTED[id];
  const markets = adapters.map((a) => (a.marketType === "spot" ? `B${RUN}-USDT` : `Q${RUN}-USDT-PERP`));

  describe(`${id} order books under faults`, () => {
    let sim: StartedSimulator;
    let ingestor: ServiceProcess;
    const feeds = new Map<string, Feed>();
    const statuses: Arrival[] = [];
    let stopSub: (() => void) | undefined;
    const logs = () =>
      `--- ingestor\n${ingestor?.logs(15)}\n--- statuses\n${statuses
        .slice(-6)
        .map((a) => `${a.status.market} ${a.status.event} ${a.status.detail}`)
        .join("\n")}`;
    const trueTop = (m: string) => {
      const s = sim.sim.generator.book(m).snapshot(DEPTH);
      return JSON.stringify({ bids: s.bids, asks: s.asks });
    };
    const inSync = (m: string) => {
      const f = feeds.get(m)!;
      return f.replica.synced && JSON.stringify(f.replica.book.top(DEPTH)) === trueTop(m);
    };
    /** Stops the market and waits for the last updates: the replica must equal the true book. */
    const quietAndEqual = async (m: string) => {
      sim.sim.pause();
      await waitFor(`${m}: the replica equals the simulator's book`, () => inSync(m), {
        timeoutMs: 5000,
        stepMs: 10,
        context: () => {
          const f = feeds.get(m)!;
          return `replica ${JSON.stringify(f.replica.book.top(3))}\ntruth ${trueTop(m).slice(0, 200)}\n${logs()}`;
        },
      });
    };

    beforeAll(async () => {
      if (!expected) throw new Error(`${id} keeps books but the test has no expectations for it: add them`);
      sim = await startSimulator({ exchange: id, markets, tradesPerSecond: 40, autoStart: false, seed: 7 });
      for (const m of markets) feeds.set(m, { replica: new BookReplica(), snapshots: [], deltas: 0 });
      // Core subscription: JetStream publishes reach it in the ingestor's order, books and statuses alike.
      const sub = nats.nc.subscribe(`md.*.${id}.*`, {
        callback: (_err, msg) => {
          const at = Date.now();
          for (const text of eventTexts(msg)) {
            const m = JSON.parse(text) as Book | Status;
            const feed = feeds.get(m.market);
            if (!feed) continue;
            if (m.type === "status") statuses.push({ at, status: m });
            else if (m.type === "book") {
              feed.replica.apply(m);
              if (m.kind === "snapshot") feed.snapshots.push(at);
              else feed.deltas++;
            }
          }
        },
      });
      stopSub = () => sub.unsubscribe();
      ingestor = startService(
        "ingestor",
        {
          NATS_URL,
          REDIS_URL,
          LOG_LEVEL: "warn",
          EXCHANGES: id,
          MARKETS: markets.join(","),
          CHANNELS: "book",
          SOURCE: "simulated",
          EXCHANGE_URL_OVERRIDES: `${id}.ws=${sim.wsUrl},${id}.rest=${sim.restUrl}`,
          // only resyncs publish snapshots during the test
          BOOK_SNAPSHOT_INTERVAL_MS: "600000",
          STALE_AFTER_MS: "60000",
        },
        port++,
      );
      await ingestor.waitReady();
      sim.sim.resume();
      await waitFor(
        "every market's book synced and moving",
        () => markets.every((m) => feeds.get(m)!.replica.synced && feeds.get(m)!.deltas >= 3),
        { timeoutMs: 15_000, stepMs: 10, context: logs },
      );
      for (const m of markets) await quietAndEqual(m);
    }, 40_000);

    afterAll(async () => {
      stopSub?.();
      await ingestor?.stop();
      await sim?.stop();
    });

    for (const market of markets) {
      for (const fault of BOOK_FAULTS) {
        const want = expected?.[fault];
        const label = want === "benign" ? "absorbed, no resync" : `detected as ${want?.join(" or ")}`;
        test(`${market.endsWith("-PERP") ? "perp" : "spot"}: ${fault} is ${label}`, async () => {
          if (!want) throw new Error(`no expectation for ${id} ${fault}`);
          const feed = feeds.get(market)!;
          await quietAndEqual(market);
          // Resubscribes keep the exchange's message rate: start from a quiet connection, so that
          // the resync measured is this fault's and not paced behind the previous one's.
          const lastStatus = statuses.at(-1)?.at ?? 0;
          if (Date.now() - lastStatus < QUIET_MS) await Bun.sleep(QUIET_MS - (Date.now() - lastStatus));
          const from = statuses.length;
          const deltasBefore = feed.deltas;
          const res = await fetch(`${sim.url}/_sim/book-fault?market=${market}&fault=${fault}`, {
            method: "POST",
          });
          expect(res.status).toBe(200);
          // The fault hits the next update: make it a big one (many levels, deep into the book), so
          // that a checksum over the top levels (Kraken) cannot miss it, then keep the market moving.
          sim.sim.generate(market, BURST);
          sim.sim.resume();
          const since = () => statuses.slice(from);
          const breaks = () => since().filter((a) => a.status.market === market && reasonOf(a.status));
          if (want === "benign") {
            // The fault hits the next update; a few more prove the stream went on without a break.
            await waitFor("more deltas", () => feed.deltas >= deltasBefore + 4, {
              timeoutMs: 10_000,
              stepMs: 10,
              context: logs,
            });
            await quietAndEqual(market);
            expect(since().map((a) => `${a.status.market} ${a.status.event} ${a.status.detail}`)).toEqual([]);
            results.push({ exchange: id, market, fault, detectedAs: "— (benign)", resyncMs: "—" });
            return;
          }
          await waitFor("the break's status event", () => breaks().length > 0, {
            timeoutMs: 10_000,
            stepMs: 10,
            context: logs,
          });
          const detected = breaks()[0]!;
          await waitFor("a fresh snapshot", () => feed.snapshots.some((t) => t >= detected.at), {
            timeoutMs: 5000,
            stepMs: 10,
            context: logs,
          });
          await quietAndEqual(market);
          // resynced = the first snapshot after the last break this fault caused
          const last = breaks().at(-1)!;
          const resyncMs = feed.snapshots.find((t) => t >= last.at)! - detected.at;
          const reasons = [...new Set(breaks().map((a) => reasonOf(a.status)!))];
          results.push({
            exchange: id,
            market,
            fault,
            detectedAs: `${detected.status.event}: ${reasons.join(", ")}`,
            resyncMs: String(resyncMs),
          });
          expect(want).toContain(reasonOf(detected.status)!);
          for (const r of reasons) expect([...want, "bridge"]).toContain(r);
          // only this market broke, and it said so with its sequence range where it has one
          expect(
            since()
              .filter((a) => a.status.market !== market)
              .map((a) => a.status.detail),
          ).toEqual([]);
          expect(
            since().some(
              (a) => a.status.market === market && a.status.event === "resync" && !reasonOf(a.status),
            ),
          ).toBe(true);
          expect(resyncMs).toBeLessThan(RESYNC_LIMIT_MS);
        }, 30_000);
      }
    }
  });
}
