import type { Metric, Registry } from "prom-client";

/** What prom-client's registry reads from a metric (`get()`) to write its text. */
interface Exposed {
  name: string;
  help: string;
  type: "counter" | "histogram";
  aggregator: "sum";
  values: Array<{
    labels: Record<string, string | number>;
    value: number;
    metricName?: string;
    exemplar?: null;
  }>;
}

const REQUESTS = "tickerplant_gateway_http_requests_total";
const SECONDS = "tickerplant_gateway_http_request_seconds";
const BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface Durations {
  route: string;
  /** Per bucket (not cumulative); the last slot counts what is above every bound. */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * REST requests by route and status, and their durations by route: tallied in plain maps per
 * request and written out as prom-client's Counter and Histogram would (same names, labels,
 * order and text) when the registry collects. prom-client's labelled `inc`/`observe` hash their
 * labels on every call, ~10 % of a /tickers request's CPU (docs/benchmarks.md, "Gateway REST").
 */
export class RequestMetrics {
  private readonly counts = new Map<string, { route: string; status: number; n: number }>();
  private readonly durations = new Map<string, Durations>();

  constructor(registers: Registry[]) {
    const requests = {
      name: REQUESTS,
      help: "REST requests by route and status",
      type: "counter",
      aggregator: "sum",
      get: async () => this.requestValues(requests),
      reset: () => this.counts.clear(),
    };
    const seconds = {
      name: SECONDS,
      help: "REST request duration by route",
      type: "histogram",
      aggregator: "sum",
      get: async () => this.durationValues(seconds),
      reset: () => this.durations.clear(),
    };
    for (const r of registers) {
      r.registerMetric(requests as unknown as Metric);
      r.registerMetric(seconds as unknown as Metric);
    }
  }

  record(route: string, status: number, seconds?: number): void {
    const key = `${status} ${route}`;
    const c = this.counts.get(key);
    if (c) c.n++;
    else this.counts.set(key, { route, status, n: 1 });
    if (seconds === undefined) return;
    let d = this.durations.get(route);
    if (!d) {
      d = { route, buckets: new Array(BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
      this.durations.set(route, d);
    }
    let b = 0;
    while (b < BUCKETS.length && seconds > BUCKETS[b]!) b++;
    d.buckets[b]!++;
    d.sum += seconds;
    d.count++;
  }

  private requestValues(m: { name: string; help: string }): Exposed {
    const values = [...this.counts.values()].map(({ route, status, n }) => ({
      value: n,
      labels: { route, status },
    }));
    return { name: m.name, help: m.help, type: "counter", aggregator: "sum", values };
  }

  private durationValues(m: { name: string; help: string }): Exposed {
    const values: Exposed["values"] = [];
    for (const { route, buckets, sum, count } of this.durations.values()) {
      let acc = 0;
      BUCKETS.forEach((le, i) => {
        acc += buckets[i]!;
        values.push({ labels: { le, route }, value: acc, metricName: `${SECONDS}_bucket`, exemplar: null });
      });
      values.push(
        { labels: { le: "+Inf", route }, value: count, metricName: `${SECONDS}_bucket`, exemplar: null },
        { labels: { route }, value: sum, metricName: `${SECONDS}_sum` },
        { labels: { route }, value: count, metricName: `${SECONDS}_count` },
      );
    }
    return { name: m.name, help: m.help, type: "histogram", aggregator: "sum", values };
  }
}
