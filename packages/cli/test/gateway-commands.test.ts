/**
 * The gateway commands as processes against a running platform (simulator → ingestor → JetStream →
 * storage-writer / gateway), and against a gateway that is down.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import {
  freePort,
  recentLogs,
  type ServiceProcess,
  type StartedSimulator,
  startService,
  startSimulator,
  waitFor,
} from "@tickerplant/testkit";
import { isolatedConsumers, removeConsumers } from "../../../tests/e2e/isolation.ts";

const CLI = resolve(import.meta.dir, "../src/main.ts");
const RUN = Date.now().toString(36).toUpperCase();
const ASSET = `CL${RUN}`;
const MARKET = `${ASSET}-USDT`;
const API_KEY = `cli-test-key-${RUN}`;
// Free ports, not fixed ones: another run of this file (or a leftover process) must not collide.
const GATEWAY_PORT = await freePort();
const INGESTOR_PORT = await freePort();
const WRITER_PORT = await freePort();
const ANALYZER_PORT = await freePort();
const DOWN_PORT = await freePort();
const GATEWAY = `http://127.0.0.1:${GATEWAY_PORT}`;
const DOWN = `http://127.0.0.1:${DOWN_PORT}`; // nothing listens here
const env = {
  NATS_URL: process.env.NATS_URL ?? "nats://127.0.0.1:4222",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  DATABASE_URL: process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test",
  LOG_LEVEL: "warn",
  ...isolatedConsumers(RUN),
};

let sim: StartedSimulator;
const services: ServiceProcess[] = [];

async function cli(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}) {
  const proc = Bun.spawn(["bun", CLI, ...args], {
    env: { ...process.env, TICKERPLANT_URL: GATEWAY, NO_COLOR: "", ...opts.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGINT"), opts.timeoutMs ?? 45_000);
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(timer);
  return { out, err, code };
}

beforeAll(async () => {
  sim = await startSimulator({ markets: [MARKET], tradesPerSecond: 20, seed: 5 });
  const feed = {
    ...env,
    EXCHANGES: "binance",
    MARKETS: MARKET,
    CHANNELS: "trade,bbo,ticker",
    SOURCE: "simulated",
    EXCHANGE_URL_OVERRIDES: `binance.ws=${sim.wsUrl},binance.rest=${sim.restUrl}`,
  };
  const writer = startService("storage-writer", env, WRITER_PORT);
  services.push(writer);
  await writer.waitReady(120_000);
  const analyzer = {
    ...env,
    COMPOSITE_INTERVAL_MS: "200",
    ALERT_RELOAD_MS: "200",
    ALERT_POLL_MS: "100",
    PORTFOLIO_INTERVAL_MS: "300",
    PORTFOLIO_RELOAD_MS: "300",
    LEASE_NAME: `e2e-cli-${RUN}`,
    REPLICA_ID: `cli-${RUN}`,
  };
  services.push(
    startService("ingestor", feed, INGESTOR_PORT),
    startService("gateway", { ...env, ADMIN_API_KEYS: API_KEY }, GATEWAY_PORT),
    startService("analyzer", analyzer, ANALYZER_PORT),
  );
  await Promise.all(services.map((s) => s.waitReady(120_000)));
}, 300_000);

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await sim?.stop();
  await removeConsumers(env.NATS_URL, RUN).catch(() => {});
});

describe("against a running gateway", () => {
  test("test: the gateway is ready and the simulated exchange's data flows", async () => {
    const r = await cli(["test", "--exchange", "binance", "--wait", "30s"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^PASS gateway http://127\\.0\\.0\\.1:${GATEWAY_PORT}: ready$`, "m"));
    expect(r.out).toMatch(/^PASS binance \[SIMULATED\]: reached \(simulated ws:\/\/.*\), data flowing/m);
  }, 120_000);

  test("test --json lists every exchange, the ones not ingested skipped", async () => {
    const r = await cli(["test", "--json", "--wait", "30s"]);
    const body = JSON.parse(r.out);
    const byId = Object.fromEntries(body.exchanges.map((e: { exchange: string }) => [e.exchange, e]));
    expect(byId.binance).toMatchObject({ result: "pass", source: "simulated" });
    // Other tests may ingest other exchanges on the same Redis; an exchange nobody ingests is skipped.
    for (const e of body.exchanges) expect(["pass", "skip", "fail"]).toContain(e.result);
    expect(body.gateway.ready).toBe(true);
  }, 120_000);

  test("monitor piped: plain lines with price, spread, source and state, then exits after --count", async () => {
    const r = await cli(["monitor", MARKET, "--exchange", "binance", "--refresh", "300ms", "--count", "3"]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(r.out).not.toContain("\x1b["); // no colours or cursor moves when piped
    const line = lines.at(-1)!;
    expect(line).toContain(`binance ${MARKET}`);
    expect(line).toMatch(/price=\d/);
    expect(line).toMatch(/spread=\d/);
    expect(line).toContain("source=simulated");
    expect(line).toMatch(/state=ok/);
  }, 120_000);

  test("monitor on a terminal redraws the table in place with colours", async () => {
    // FORCE_TTY is not a thing for Bun's stdout; run under `script` to get a real pseudo-terminal.
    const proc = Bun.spawn(
      [
        "script",
        "-qec",
        `bun ${CLI} monitor ${MARKET} --refresh 300ms --count 3 --gateway ${GATEWAY}`,
        "/dev/null",
      ],
      {
        env: { ...process.env, TERM: "xterm", NO_COLOR: "" },
        stdout: "pipe",
        stderr: "pipe",
        stdin: "ignore",
      },
    );
    const out = await new Response(proc.stdout).text();
    expect(await proc.exited).toBe(0);
    expect(out).toContain("\x1b[2J"); // cleared once
    expect(out.split("\x1b[H").length - 1).toBe(3); // three frames, each from the top
    expect(out).toContain("\x1b[32m"); // green (state ok / rising change)
    expect(out).toContain(MARKET);
    expect(out).toContain("simulated: prices from the exchange simulator");
  }, 120_000);

  test("monitor --json: one JSON object per row update", async () => {
    const r = await cli(["monitor", MARKET, "--refresh", "300ms", "--count", "1", "--json"]);
    expect(r.code).toBe(0);
    const row = JSON.parse(r.out.trim().split("\n")[0]!);
    expect(row).toMatchObject({ exchange: "binance", market: MARKET, source: "simulated" });
    expect(row.price).toBeGreaterThan(0);
  }, 120_000);

  test("status: health, exchanges with their source, capacity and gaps sections", async () => {
    const r = await cli(["status"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    for (const heading of ["health", "services", "exchanges", "REST capacity", "open gaps"])
      expect(r.out).toMatch(new RegExp(`^${heading}$`, "m"));
    expect(r.out).toMatch(/^\s+binance\s+simulated\s+active/m);
    expect(r.out).toMatch(/^gap events \(last 24 h\)$/m); // counted by /api/v1/status
    expect(r.out).toMatch(/^\s+gateway\s/m); // the gateway's own instance among the services
    const json = JSON.parse((await cli(["status", "--json"])).out);
    expect(json.exchanges.find((e: { id: string }) => e.id === "binance")).toMatchObject({
      source: "simulated",
    });
  }, 120_000);

  test("bad input is a usage error (exit 2) that says what is expected; nothing is sent", async () => {
    const cases: [string[], RegExp][] = [
      [["monitor", "not a market"], /not a market name/],
      [["monitor", MARKET, "--refresh", "soon"], /--refresh must be a duration/],
      [["monitor", "--exchange", "nope"], /unknown exchange "nope"/],
      [
        [
          "alerts",
          "add",
          "--exchange",
          "binance",
          "--market",
          "BTC-USDT",
          "--kind",
          "moon",
          "--threshold",
          "1",
        ],
        /unknown alert kind "moon"/,
      ],
      [
        [
          "alerts",
          "add",
          "--exchange",
          "binance",
          "--market",
          "BTC-USDT",
          "--kind",
          "price_above",
          "--threshold",
          "lots",
        ],
        /--threshold must be a number/,
      ],
      [
        ["alerts", "add", "--exchange", "binance", "--market", "BTC-USDT", "--kind", "price_above"],
        /--threshold is required/,
      ],
      [
        [
          "alerts",
          "add",
          "--exchange",
          "binance",
          "--market",
          "BTC-USDT",
          "--kind",
          "price_above",
          "--threshold",
          "1",
          "--webhook",
          "ftp://x",
        ],
        /--webhook must be an http/,
      ],
      [
        [
          "alerts",
          "add",
          "--exchange",
          "binance",
          "--market",
          "BTC-USDT",
          "--kind",
          "price_above",
          "--threshold",
          "1",
          "--cooldown",
          "soon",
        ],
        /--cooldown must be seconds/,
      ],
      [
        [
          "alerts",
          "add",
          "--exchange",
          "binance",
          "--market",
          "BTC-USDT",
          "--kind",
          "change_pct",
          "--threshold",
          "1",
          "--window",
          "5d",
        ],
        /--window must be a duration/,
      ],
      [["alerts", "frobnicate"], /unknown alerts command/],
      [["alerts", "rm"], /exactly one rule id/],
      [["portfolio", "add", "BTC"], /give ASSET and QUANTITY/],
      [["portfolio", "add", "BTC", "-3"], /quantity must be a positive number|Unknown option/],
      [["portfolio", "add", "BTC", "1", "--cost-basis", "x"], /--cost-basis must be a number/],
      [["portfolio", "watch"], /exactly one portfolio id/],
      [["test", "--exchange", "nope"], /unknown exchange "nope"/],
      [["status", "--gateway", "not a url"], /is not a URL/],
      [["status", "--bogus"], /Unknown option '--bogus'/],
      [
        ["backfill", "--exchange", "binance", "--market", MARKET],
        /backfill needs --exchange, --market and --from/,
      ],
      [
        ["backfill", "--exchange", "binance", "--market", MARKET, "--from", "1", "--kind", "x"],
        /--kind must be/,
      ],
      [["jobs", "--state", "stuck"], /--state must be one of queued, running/],
    ];
    // A few at a time: each is a process start on a shared machine.
    for (let i = 0; i < cases.length; i += 4) {
      const batch = cases.slice(i, i + 4);
      const results = await Promise.all(batch.map(([args]) => cli(args)));
      batch.forEach(([args, message], j) => {
        const r = results[j]!;
        expect({ args, code: r.code, err: r.err }).toEqual({
          args,
          code: 2,
          err: expect.stringMatching(message),
        });
        expect(r.out).toBe("");
      });
    }
  }, 300_000);
});

describe("alerts and portfolios against the analyzer", () => {
  // Neither probe answers false, so testkit's "undefined or false is not yet" is this file's "undefined is".
  const POLL = { timeoutMs: 60_000, stepMs: 500, context: () => recentLogs(services, 10) };
  const keyed = { env: { TICKERPLANT_API_KEY: API_KEY } };

  test("alerts add, list, log (a crossing fires), rm", async () => {
    // Just above the last price: the next up-tick crosses it (a relative margin such as 0.01 % is
    // ten ticks of the walk, which a loaded run did not reach within two minutes).
    const threshold = sim.sim.truth.lastTrade(MARKET)!.price + 1e-9;
    const add = await cli(
      [
        "alerts",
        "add",
        "--exchange",
        "binance",
        "--market",
        MARKET,
        "--kind",
        "price_above",
        "--threshold",
        String(threshold),
        "--cooldown",
        "1s",
      ],
      keyed,
    );
    expect(add.err).toBe("");
    expect(add.code).toBe(0);
    const id = add.out.trim();
    expect(id).not.toBe("");
    // without a key the gateway refuses the write: exit 4 with its error code
    const anonymous = await cli([
      "alerts",
      "add",
      "--exchange",
      "binance",
      "--market",
      MARKET,
      "--kind",
      "price_above",
      "--threshold",
      "1",
    ]);
    expect(anonymous.code).toBe(4);
    expect(anonymous.err).toMatch(/gateway answered 401/);
    const list = await cli(["alerts", "list", "--market", MARKET]);
    expect(list.code).toBe(0);
    expect(list.out).toContain(id);
    expect(list.out).toContain("price_above");
    // Polled over HTTP (a CLI process per poll is seconds on a loaded machine), then read by the CLI.
    await waitFor(
      "the alert to fire",
      async () => {
        const price = sim.sim.truth.lastTrade(MARKET)!.price;
        if (price < threshold) sim.sim.generate(MARKET, 20);
        const res = await fetch(`${GATEWAY}/api/v1/alerts/${id}/firings`);
        const body = (await res.json().catch(() => ({}))) as { data?: unknown[] };
        return (body.data?.length ?? 0) > 0 ? true : undefined;
      },
      { ...POLL, timeoutMs: 120_000 },
    );
    const r = await cli(["alerts", "log", id, "--json"]);
    expect(r.code).toBe(0);
    const firing = (JSON.parse(r.out) as { alertId: string; value: number }[])[0]!;
    expect(firing.alertId).toBe(id);
    expect(firing.value).toBeGreaterThanOrEqual(threshold);
    const log = await cli(["alerts", "log", id]);
    expect(log.out).toMatch(new RegExp(`FIRED binance ${MARKET} price_above value=`));
    const rm = await cli(["alerts", "rm", id], keyed);
    expect(rm.out.trim()).toBe(`deleted ${id}`);
    expect((await cli(["alerts", "list", "--market", MARKET])).out).not.toContain(id);
    const gone = await cli(["alerts", "rm", id], keyed);
    expect(gone.code).toBe(4);
    expect(gone.err).toContain("404");
  }, 180_000);

  test("portfolio add, show (valued at the composite price), watch", async () => {
    const add = await cli(
      ["portfolio", "add", ASSET, "2", "--cost-basis", "1", "--name", `cli-${RUN}`],
      keyed,
    );
    expect(add.err).toBe("");
    expect(add.code).toBe(0);
    const id = add.out.trim();
    const valued = await waitFor(
      "the portfolio to be valued",
      async () => {
        const r = await cli(["portfolio", "show", id, "--json"]);
        const p = JSON.parse(r.out) as { value: number; holdings: { asset: string; price: number | null }[] };
        return p.holdings[0]?.price ? p : undefined;
      },
      POLL,
    );
    expect(valued.holdings[0]).toMatchObject({ asset: ASSET });
    expect(valued.value).toBeCloseTo(2 * valued.holdings[0]!.price!, 6);
    const show = await cli(["portfolio", "show", id]);
    expect(show.out).toContain(`portfolio ${id}`);
    expect(show.out).toMatch(new RegExp(`^${ASSET}\\s+2\\s`, "m"));
    expect((await cli(["portfolio", "show"])).out).toContain(id);
    const watch = await cli(["portfolio", "watch", id, "--count", "3"]);
    expect(watch.code).toBe(0);
    const lines = watch.out.trim().split("\n");
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(new RegExp(`${id} value=\\d`));
    const missing = await cli(["portfolio", "show", "no-such-portfolio"]);
    expect(missing.code).toBe(4);
  }, 180_000);
});

describe("scheduler jobs through the typed client", () => {
  test("backfill submits (write key), jobs lists it, jobs --follow ends with the job's outcome", async () => {
    const from = String(Date.now() - 10 * 60_000);
    const anonymous = await cli(["backfill", "--exchange", "binance", "--market", MARKET, "--from", from]);
    expect(anonymous.code).toBe(4);
    expect(anonymous.err).toMatch(/gateway answered 401/);
    const r = await cli(
      ["backfill", "--exchange", "binance", "--market", MARKET, "--from", from, "--no-follow"],
      { env: { TICKERPLANT_API_KEY: API_KEY } },
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const job = JSON.parse(r.out.trim()) as { id: string; state: string; pagesTotal: number };
    expect(job).toMatchObject({ state: "queued" });
    expect(job.pagesTotal).toBeGreaterThan(0);
    const listed = JSON.parse((await cli(["jobs", "--json", "--state", "queued"])).out) as { id: string }[];
    expect(listed.map((j) => j.id)).toContain(job.id);
    expect((await cli(["jobs"])).out).toMatch(
      new RegExp(`^${job.id}\\s+queued\\s+candles-backfill\\s+binance:${MARKET}:1m\\s+0\\.0%`, "m"),
    );
    // Ctrl-C while backfill follows its job: the command stops watching (130) and says how to follow
    // again; the job is not cancelled.
    const watching = Bun.spawn(
      ["bun", CLI, "backfill", "--exchange", "binance", "--market", MARKET, "--from", from],
      {
        env: { ...process.env, TICKERPLANT_URL: GATEWAY, TICKERPLANT_API_KEY: API_KEY },
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    const reader = watching.stdout.getReader();
    const firstLine = new TextDecoder().decode((await reader.read()).value);
    const followed = JSON.parse(firstLine.trim().split("\n")[0]!) as { id: string };
    await Bun.sleep(1500); // at least one progress line
    watching.kill("SIGINT");
    expect(await watching.exited).toBe(130);
    const interrupted = await new Response(watching.stderr).text();
    expect(interrupted).toContain(`job ${followed.id} keeps running in the scheduler`);
    expect(interrupted).toContain(`tickerplant jobs --follow ${followed.id}`);
    const still = JSON.parse((await cli(["jobs", "--json", "--state", "queued"])).out) as { id: string }[];
    expect(still.map((j) => j.id)).toContain(followed.id);
    await fetch(`${GATEWAY}/api/v1/jobs/${followed.id}`, {
      method: "DELETE",
      headers: { "x-api-key": API_KEY },
    });

    // No scheduler runs here: cancel it over REST, and --follow reports the end (exit 1: not done).
    const cancel = await fetch(`${GATEWAY}/api/v1/jobs/${job.id}`, {
      method: "DELETE",
      headers: { "x-api-key": API_KEY },
    });
    expect(cancel.status).toBe(200);
    const follow = await cli(["jobs", "--follow", job.id]);
    expect(follow.code).toBe(1);
    expect(follow.err).toMatch(/% cancelled pages 0\//);
    const missing = await cli(["jobs", "--follow", "no-such-job"]);
    expect(missing.code).toBe(4);
    expect(missing.err).toContain("404");
  }, 120_000);
});

describe("against a gateway that is down", () => {
  test("every command says the gateway is unreachable and exits 3", async () => {
    for (const args of [
      ["status"],
      ["test"],
      ["monitor", "BTC-USDT", "--count", "1"],
      ["alerts", "list"],
      [
        "alerts",
        "add",
        "--exchange",
        "binance",
        "--market",
        "BTC-USDT",
        "--kind",
        "price_above",
        "--threshold",
        "1",
      ],
      ["portfolio", "show", "p1"],
      ["portfolio", "watch", "p1"],
      ["jobs"],
      ["jobs", "--follow", "j1"],
      ["backfill", "--exchange", "binance", "--market", "BTC-USDT", "--from", "1"],
    ]) {
      const r = await cli(args, { env: { TICKERPLANT_URL: DOWN } });
      expect({ args, code: r.code }).toEqual({ args, code: 3 });
      expect(r.err).toContain(`gateway at ${DOWN} is unreachable`);
      expect(r.err).toContain("infra/up.sh");
      expect(r.out).toBe("");
    }
    // --gateway wins over TICKERPLANT_URL
    const r = await cli(["status", "--gateway", DOWN], { env: { TICKERPLANT_URL: GATEWAY } });
    expect(r.code).toBe(3);
  }, 300_000);
});
