// Writes infra/grafana/dashboards/*.json from the definitions below (run: bun infra/grafana/build-dashboards.ts).
// The observability test regenerates them, checks the files are current and runs every panel
// query against a real Prometheus.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const DATASOURCE = { type: "prometheus", uid: "tickerplant-prometheus" };

interface PanelDef {
  title: string;
  exprs: Array<[expr: string, legend: string]>;
  unit?: string;
  kind?: "timeseries" | "stat";
  description?: string;
}

function panel(p: PanelDef, i: number) {
  const width = p.kind === "stat" ? 6 : 12;
  return {
    id: i + 1,
    type: p.kind ?? "timeseries",
    title: p.title,
    description: p.description ?? "",
    datasource: DATASOURCE,
    gridPos: { h: 8, w: width, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
    fieldConfig: { defaults: { unit: p.unit ?? "short" }, overrides: [] },
    options: {},
    targets: p.exprs.map(([expr, legendFormat], j) => ({
      refId: String.fromCharCode(65 + j),
      datasource: DATASOURCE,
      expr,
      legendFormat,
    })),
  };
}

const exchangeVar = {
  name: "exchange",
  label: "Exchange",
  type: "query",
  datasource: DATASOURCE,
  query: { query: "label_values(tickerplant_ingest_frames_total, exchange)", refId: "exchange" },
  definition: "label_values(tickerplant_ingest_frames_total, exchange)",
  includeAll: true,
  multi: true,
  allValue: ".*",
  refresh: 2,
  current: { text: "All", value: "$__all" },
};

function dashboard(uid: string, title: string, panels: PanelDef[], vars: object[] = []) {
  return {
    uid,
    title,
    tags: ["tickerplant"],
    timezone: "utc",
    schemaVersion: 39,
    version: 1,
    editable: false,
    refresh: "10s",
    time: { from: "now-1h", to: "now" },
    templating: { list: vars },
    panels: panels.map(panel),
  };
}

const ex = 'exchange=~"$exchange"';
export const DASHBOARDS = {
  "exchanges.json": dashboard(
    "tickerplant-exchanges",
    "Tickerplant — exchanges",
    [
      {
        title: "Messages per second by exchange and type",
        exprs: [
          [
            `sum by (exchange, type) (rate(tickerplant_ingest_messages_total{${ex}}[$__rate_interval]))`,
            "{{exchange}} {{type}}",
          ],
        ],
        unit: "ops",
      },
      {
        title: "Frames per second by exchange",
        exprs: [
          [
            `sum by (exchange) (rate(tickerplant_ingest_frames_total{${ex}}[$__rate_interval]))`,
            "{{exchange}}",
          ],
        ],
        unit: "ops",
      },
      {
        title: "Exchange lag (event time → receive), p50 / p99",
        exprs: [
          [
            `histogram_quantile(0.5, sum by (exchange, le) (rate(tickerplant_ingest_exchange_latency_seconds_bucket{${ex}}[$__rate_interval])))`,
            "{{exchange}} p50",
          ],
          [
            `histogram_quantile(0.99, sum by (exchange, le) (rate(tickerplant_ingest_exchange_latency_seconds_bucket{${ex}}[$__rate_interval])))`,
            "{{exchange}} p99",
          ],
        ],
        unit: "s",
      },
      {
        title: "Open connections",
        exprs: [[`sum by (exchange) (tickerplant_ingest_connections_up{${ex}})`, "{{exchange}}"]],
      },
      {
        title: "Connection events",
        exprs: [
          [
            `sum by (exchange, event) (increase(tickerplant_ingest_connection_events_total{${ex}}[$__rate_interval]))`,
            "{{exchange}} {{event}}",
          ],
        ],
      },
      {
        title: "Gaps per hour",
        exprs: [
          [
            `sum by (exchange) (rate(tickerplant_ingest_gaps_total{${ex}}[$__rate_interval])) * 3600`,
            "{{exchange}}",
          ],
        ],
      },
      {
        title: "Invalid frames per second by reason",
        exprs: [
          [
            `sum by (exchange, reason) (rate(tickerplant_ingest_invalid_frames_total{${ex}}[$__rate_interval]))`,
            "{{exchange}} {{reason}}",
          ],
        ],
        unit: "ops",
      },
      {
        title: "Book resyncs by reason",
        exprs: [
          [
            `sum by (exchange, reason) (increase(tickerplant_book_resyncs_total{${ex}}[$__rate_interval]))`,
            "{{exchange}} {{reason}}",
          ],
        ],
        description: "order books dropped and rebuilt (gaps, checksum failures, crossed books)",
      },
      {
        title: "Book age (since last update), max per exchange",
        exprs: [[`max by (exchange) (tickerplant_book_age_seconds{${ex}})`, "{{exchange}}"]],
        unit: "s",
      },
      {
        title: "Book checksum failures",
        exprs: [
          [
            `sum by (exchange) (increase(tickerplant_book_checksum_failures_total{${ex}}[$__rate_interval]))`,
            "{{exchange}}",
          ],
        ],
      },
    ],
    [exchangeVar],
  ),
  "pipeline.json": dashboard("tickerplant-pipeline", "Tickerplant — pipeline", [
    {
      title: "Published to JetStream per second by stream",
      exprs: [
        ["sum by (stream) (rate(tickerplant_published_messages_total[$__rate_interval]))", "{{stream}}"],
      ],
      unit: "ops",
    },
    {
      title: "Consumed per second by consumer",
      exprs: [
        [
          "sum by (service, consumer) (rate(tickerplant_consumer_messages_total[$__rate_interval]))",
          "{{service}} {{consumer}}",
        ],
      ],
      unit: "ops",
    },
    {
      title: "Consumer lag (messages pending)",
      exprs: [["max by (service, consumer) (tickerplant_consumer_pending)", "{{service}} {{consumer}}"]],
    },
    {
      title: "End-to-end latency (JetStream → acked), p50 / p99",
      exprs: [
        [
          "histogram_quantile(0.5, sum by (service, le) (rate(tickerplant_consumer_latency_seconds_bucket[$__rate_interval])))",
          "{{service}} p50",
        ],
        [
          "histogram_quantile(0.99, sum by (service, le) (rate(tickerplant_consumer_latency_seconds_bucket[$__rate_interval])))",
          "{{service}} p99",
        ],
      ],
      unit: "s",
    },
    {
      title: "Rows written per second by table",
      exprs: [
        ["sum by (table) (rate(tickerplant_storage_rows_written_total[$__rate_interval]))", "{{table}}"],
      ],
      unit: "ops",
    },
    {
      title: "Batch commit time p99",
      exprs: [
        [
          "histogram_quantile(0.99, sum by (consumer, le) (rate(tickerplant_consumer_batch_seconds_bucket[$__rate_interval])))",
          "{{consumer}}",
        ],
      ],
      unit: "s",
    },
    {
      title: "Publish window in flight",
      exprs: [["sum by (service) (tickerplant_publish_in_flight)", "{{service}}"]],
    },
    {
      title: "Consumer failures",
      exprs: [
        [
          "sum by (service, outcome) (rate(tickerplant_consumer_failures_total[$__rate_interval]))",
          "{{service}} {{outcome}}",
        ],
        [
          "sum by (service) (rate(tickerplant_publish_failures_total[$__rate_interval]))",
          "{{service}} publish",
        ],
      ],
      unit: "ops",
    },
    {
      title: "Resident memory by service",
      exprs: [["max by (service) (tickerplant_process_resident_memory_bytes)", "{{service}}"]],
      unit: "bytes",
    },
    {
      title: "CPU by service",
      exprs: [
        ["sum by (service) (rate(tickerplant_process_cpu_seconds_total[$__rate_interval]))", "{{service}}"],
      ],
      unit: "percentunit",
    },
  ]),
  "rest.json": dashboard("tickerplant-rest", "Tickerplant — REST budgets", [
    {
      title: "REST budget used (share of the window)",
      exprs: [
        [
          "max by (exchange, market_type) (tickerplant_rest_weight_used) / max by (exchange, market_type) (tickerplant_rest_weight_budget)",
          "{{exchange}} {{market_type}}",
        ],
      ],
      unit: "percentunit",
    },
    {
      title: "REST weight used in the current window",
      exprs: [
        ["max by (exchange, market_type) (tickerplant_rest_weight_used)", "{{exchange}} {{market_type}}"],
      ],
    },
    {
      title: "REST requests per second by status",
      exprs: [
        [
          "sum by (exchange, status) (rate(tickerplant_rest_requests_total[$__rate_interval]))",
          "{{exchange}} {{status}}",
        ],
      ],
      unit: "ops",
    },
    {
      title: "429 / 418 answers per second",
      exprs: [
        [
          'sum by (exchange) (rate(tickerplant_rest_requests_total{status=~"429|418"}[$__rate_interval]))',
          "{{exchange}}",
        ],
      ],
      unit: "ops",
    },
    {
      title: "Weight spent per second",
      exprs: [["sum by (exchange) (rate(tickerplant_rest_weight_total[$__rate_interval]))", "{{exchange}}"]],
    },
    {
      title: "Scheduler jobs",
      exprs: [
        [
          "sum by (kind, outcome) (increase(tickerplant_scheduler_jobs_total[$__rate_interval]))",
          "{{kind}} {{outcome}}",
        ],
      ],
    },
  ]),
  "gateway.json": dashboard("tickerplant-gateway", "Tickerplant — gateway clients", [
    { title: "WebSocket clients", exprs: [["sum(tickerplant_gateway_ws_clients)", "clients"]] },
    {
      title: "WebSocket subscriptions",
      exprs: [["sum(tickerplant_gateway_ws_subscriptions)", "subscriptions"]],
    },
    {
      title: "Messages sent to clients per second by type",
      exprs: [
        ["sum by (type) (rate(tickerplant_gateway_ws_messages_sent_total[$__rate_interval]))", "{{type}}"],
      ],
      unit: "ops",
    },
    {
      title: "Disconnects by reason",
      exprs: [
        [
          "sum by (reason) (increase(tickerplant_gateway_ws_disconnects_total[$__rate_interval]))",
          "{{reason}}",
        ],
      ],
    },
    {
      title: "REST requests per second by route and status",
      exprs: [
        [
          "sum by (route, status) (rate(tickerplant_gateway_http_requests_total[$__rate_interval]))",
          "{{route}} {{status}}",
        ],
      ],
      unit: "ops",
    },
    {
      title: "REST latency p99 by route",
      exprs: [
        [
          "histogram_quantile(0.99, sum by (route, le) (rate(tickerplant_gateway_http_request_seconds_bucket[$__rate_interval])))",
          "{{route}}",
        ],
      ],
      unit: "s",
    },
    {
      title: "Fan-out from JetStream per second",
      exprs: [
        ["sum by (stream) (rate(tickerplant_gateway_fanout_messages_total[$__rate_interval]))", "{{stream}}"],
      ],
      unit: "ops",
    },
    {
      title: "WebSocket errors by code",
      exprs: [
        ["sum by (code) (increase(tickerplant_gateway_ws_errors_total[$__rate_interval]))", "{{code}}"],
      ],
    },
  ]),
};

if (import.meta.main) {
  for (const [file, d] of Object.entries(DASHBOARDS)) {
    writeFileSync(join(import.meta.dir, "dashboards", file), `${JSON.stringify(d, null, 2)}\n`);
  }
}
