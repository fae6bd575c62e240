/**
 * Observability shipped: infra/prometheus (config, recording and alert rules) checked by promtool
 * and its unit tests; infra/grafana (provisioning and dashboards) validated; then a real
 * Prometheus, started here with the shipped rules, scrapes the five services running as processes
 * on the exchange simulator, and every dashboard panel's query runs against it.
 * Needs Debian's `prometheus` package (infra/test.sh installs it); skipped with a message without it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  REPO_ROOT,
  type ServiceName,
  type ServiceProcess,
  type StartedSimulator,
  startService,
  startSimulator,
  waitFor,
} from "@tickerplant/testkit";
import type { Subprocess } from "bun";
import { DASHBOARDS } from "../../infra/grafana/build-dashboards.ts";
import { isolatedConsumers, removeConsumers } from "../e2e/isolation.ts";

const PROM_DIR = resolve(REPO_ROOT, "infra/prometheus");
const GRAFANA_DIR = resolve(REPO_ROOT, "infra/grafana");
const PROMETHEUS = Bun.which("prometheus");
const PROMTOOL = Bun.which("promtool");
const HAVE_PROMETHEUS = PROMETHEUS !== null && PROMTOOL !== null;
if (!HAVE_PROMETHEUS) {
  console.warn(
    "SKIPPED: Prometheus is not installed (apt-get install prometheus; infra/test.sh does it) — the observability tests need promtool and prometheus",
  );
}

const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant_test";
const RUN = Date.now().toString(36).toUpperCase();
const MARKET = `OBS${RUN}-USDT`;
const PORTS: Record<ServiceName, number> = {
  ingestor: 29101,
  "storage-writer": 29102,
  scheduler: 29103,
  analyzer: 29104,
  gateway: 29080,
};
const PROM_PORT = 29090;
const PROM_URL = `http://127.0.0.1:${PROM_PORT}`;

function run(cmd: string[]): { code: number; out: string } {
  const p = Bun.spawnSync(cmd, { cwd: PROM_DIR, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode, out: `${p.stdout.toString()}${p.stderr.toString()}` };
}

/** Prometheus scrapes and evaluates on its own clock: poll gently. */
const POLL = { timeoutMs: 60_000, stepMs: 500 };

async function query(
  expr: string,
): Promise<{ status: string; error?: string; data?: { result: unknown[] } }> {
  const res = await fetch(`${PROM_URL}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
}

/** Grafana's variables as a query would see them with "All" selected. */
function instantiate(expr: string): string {
  return expr.replaceAll("$__rate_interval", "30s").replaceAll("$exchange", ".*");
}

const panels = Object.entries(DASHBOARDS).flatMap(([file, d]) =>
  d.panels.flatMap((p) => p.targets.map((t) => ({ file, title: p.title, expr: t.expr }))),
);

describe("infra/prometheus checked by promtool", () => {
  test.skipIf(!HAVE_PROMETHEUS)("config, rules and the alert unit tests", () => {
    for (const cmd of [
      [PROMTOOL!, "check", "config", "prometheus.yml"],
      [PROMTOOL!, "check", "rules", "rules/recording.yml", "rules/alerts.yml"],
      [PROMTOOL!, "test", "rules", "tests.yml"],
    ]) {
      const r = run(cmd);
      expect(r.out).toContain("SUCCESS");
      expect(r.code).toBe(0);
    }
  });

  test("every service is a scrape job", () => {
    const config = Bun.YAML.parse(readFileSync(join(PROM_DIR, "prometheus.yml"), "utf8")) as {
      scrape_configs: Array<{ job_name: string }>;
    };
    const jobs = config.scrape_configs.map((s) => s.job_name);
    for (const name of Object.keys(PORTS)) expect(jobs).toContain(name);
  });
});

describe("infra/grafana", () => {
  const datasources = Bun.YAML.parse(
    readFileSync(join(GRAFANA_DIR, "provisioning/datasources/prometheus.yml"), "utf8"),
  ) as { datasources: Array<{ uid: string; type: string }> };
  const providers = Bun.YAML.parse(
    readFileSync(join(GRAFANA_DIR, "provisioning/dashboards/tickerplant.yml"), "utf8"),
  ) as { providers: Array<{ type: string; options: { path: string } }> };

  test("provisioning: one Prometheus datasource and a file provider", () => {
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ uid: "tickerplant-prometheus", type: "prometheus" }),
    ]);
    expect(providers.providers[0]).toMatchObject({ type: "file", options: { path: expect.any(String) } });
  });

  test("the dashboard files are current, valid and use the provisioned datasource", () => {
    const files = readdirSync(join(GRAFANA_DIR, "dashboards")).filter((f) => f.endsWith(".json"));
    expect(files.sort()).toEqual(Object.keys(DASHBOARDS).sort());
    const uids = new Set<string>();
    for (const file of files) {
      const d = JSON.parse(readFileSync(join(GRAFANA_DIR, "dashboards", file), "utf8"));
      expect(d).toEqual(DASHBOARDS[file as keyof typeof DASHBOARDS]); // regenerate: bun infra/grafana/build-dashboards.ts
      expect(typeof d.uid).toBe("string");
      expect(uids.has(d.uid)).toBe(false);
      uids.add(d.uid);
      expect(d.panels.length).toBeGreaterThan(3);
      const ids = d.panels.map((p: { id: number }) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of d.panels) {
        expect(["timeseries", "stat"]).toContain(p.type);
        expect(p.datasource.uid).toBe(datasources.datasources[0]!.uid);
        expect(p.targets.length).toBeGreaterThan(0);
        for (const t of p.targets) expect(t.expr).toMatch(/tickerplant_/);
        expect(p.gridPos.w).toBeGreaterThan(0);
      }
    }
    // The dashboards the issue names.
    const titles = panels.map((p) => p.title).join("\n");
    for (const want of [
      /Messages per second by exchange/,
      /Exchange lag/,
      /End-to-end latency/,
      /Consumer lag/,
      /Book resyncs/,
      /REST budget used/,
      /WebSocket clients/,
    ]) {
      expect(titles).toMatch(want);
    }
  });
});

describe.skipIf(!HAVE_PROMETHEUS)("every panel query against a real Prometheus scraping the services", () => {
  let sim: StartedSimulator;
  const services = new Map<ServiceName, ServiceProcess>();
  let prometheus: Subprocess | undefined;
  let dir: string;
  let ws: WebSocket | undefined;

  beforeAll(async () => {
    sim = await startSimulator({ markets: [MARKET], tradesPerSecond: 50, seed: 11 });
    const env = {
      NATS_URL,
      REDIS_URL,
      DATABASE_URL,
      LOG_LEVEL: "warn",
      ...isolatedConsumers(RUN),
      EXCHANGES: "binance",
      MARKETS: MARKET,
      CHANNELS: "trade,bbo,ticker,candle,book",
      CANDLE_INTERVALS: "1m",
      SOURCE: "simulated",
      EXCHANGE_URL_OVERRIDES: `binance.ws=${sim.wsUrl},binance.rest=${sim.restUrl}`,
      FLUSH_INTERVAL_MS: "50",
      STATS_INTERVAL_MS: "500",
      MARKETS_REFRESH_MS: "60000",
    };
    for (const name of ["storage-writer", "analyzer", "scheduler", "ingestor", "gateway"] as ServiceName[]) {
      const svc = startService(name, env, PORTS[name]);
      services.set(name, svc);
      if (name === "storage-writer") await svc.waitReady(60_000);
    }
    await Promise.all([...services.values()].map((s) => s.waitReady(60_000)));

    // The shipped config with this run's targets, a 1 s scrape and the shipped rule files.
    dir = mkdtempSync(join(tmpdir(), "tickerplant-prom-"));
    const shipped = Bun.YAML.parse(readFileSync(join(PROM_DIR, "prometheus.yml"), "utf8")) as {
      global: Record<string, unknown>;
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const config = {
      ...shipped,
      global: { ...shipped.global, scrape_interval: "1s", evaluation_interval: "1s" },
      rule_files: shipped.rule_files.map((f) => join(PROM_DIR, f)),
      scrape_configs: shipped.scrape_configs.map((s) => ({
        ...s,
        static_configs: [
          {
            targets: [
              s.job_name in PORTS
                ? `127.0.0.1:${PORTS[s.job_name as ServiceName]}`
                : `127.0.0.1:${PROM_PORT}`,
            ],
          },
        ],
      })),
    };
    // JSON is YAML: Prometheus reads it as is.
    writeFileSync(join(dir, "prometheus.yml"), JSON.stringify(config));
    prometheus = Bun.spawn(
      [
        PROMETHEUS!,
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${PROM_PORT}`,
      ],
      // Logs to a file: an unread pipe would fill and stall Prometheus.
      { stdout: "ignore", stderr: Bun.file(join(dir, "prometheus.log")) },
    );

    // A WebSocket client, so the gateway's client metrics have something to count.
    ws = new WebSocket(`ws://127.0.0.1:${PORTS.gateway}/ws`);
    ws.onopen = () => ws?.send(JSON.stringify({ op: "subscribe", channels: ["trade:binance:*"], id: 1 }));

    await waitFor("Prometheus ready", async () => (await fetch(`${PROM_URL}/-/ready`)).ok, POLL);
    await waitFor(
      "Prometheus scraping all five services",
      async () => {
        const r = await query('count(up{job=~"ingestor|storage-writer|scheduler|analyzer|gateway"} == 1)');
        return (r.data?.result as Array<{ value: [number, string] }> | undefined)?.[0]?.value[1] === "5";
      },
      POLL,
    );
    await waitFor(
      "trades through the pipeline in Prometheus",
      async () => {
        const r = await query(
          'sum(rate(tickerplant_consumer_latency_seconds_count{service="storage-writer"}[30s])) > 0',
        );
        return (r.data?.result.length ?? 0) > 0;
      },
      POLL,
    );
  }, 240_000);

  afterAll(async () => {
    ws?.close();
    prometheus?.kill("SIGTERM");
    await prometheus?.exited;
    await Promise.all([...services.values()].map((s) => s.stop()));
    await removeConsumers(NATS_URL, RUN).catch(() => {});
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("every panel query runs without error, and every metric it reads is exported by a service", async () => {
    const exported = new Set(
      Object.keys(
        ((await (await fetch(`${PROM_URL}/api/v1/metadata`)).json()) as { data: Record<string, unknown> })
          .data,
      ),
    );
    const problems: string[] = [];
    for (const p of panels) {
      const r = await query(instantiate(p.expr));
      if (r.status !== "success") problems.push(`${p.file} "${p.title}": ${r.error}`);
      for (const name of p.expr.match(/tickerplant_[a-z0-9_]+/g) ?? []) {
        const base = name.replace(/_(bucket|count|sum)$/, "");
        if (!exported.has(base) && !exported.has(name))
          problems.push(`${p.file} "${p.title}": ${name} is not exported`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("the core panels show data from the running pipeline", async () => {
    const mustHaveData = [
      "Messages per second by exchange and type",
      "Exchange lag (event time → receive), p50 / p99",
      "Consumed per second by consumer",
      "End-to-end latency (JetStream → acked), p50 / p99",
      "Rows written per second by table",
      "REST budget used (share of the window)",
      "WebSocket clients",
      "Resident memory by service",
    ];
    for (const title of mustHaveData) {
      const p = panels.find((x) => x.title === title);
      expect(p).toBeDefined();
      const result = await waitFor(
        `data for "${title}"`,
        async () => {
          const r = await query(instantiate(p!.expr));
          return (r.data?.result.length ?? 0) > 0 ? r.data!.result : false;
        },
        POLL,
      );
      expect(result.length).toBeGreaterThan(0);
    }
  });

  test("every recording and alert rule evaluates without error on the live series", async () => {
    await waitFor(
      "recorded ingest rate",
      async () => {
        const r = await query("tickerplant:ingest_messages:rate1m");
        return (r.data?.result.length ?? 0) > 0;
      },
      POLL,
    );
    const rules = (await (await fetch(`${PROM_URL}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> };
    };
    const all = rules.data.groups.flatMap((g) => g.rules);
    expect(all.length).toBeGreaterThanOrEqual(20);
    expect(
      all.filter((r) => r.health !== "ok").map((r) => `${r.name}: ${r.health} ${r.lastError ?? ""}`),
    ).toEqual([]);
  });
});
