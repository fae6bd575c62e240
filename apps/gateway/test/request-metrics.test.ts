import { expect, test } from "bun:test";
import { Counter, Histogram, Registry } from "prom-client";
import { RequestMetrics } from "../src/request-metrics.ts";

test("the tally writes what prom-client's labelled Counter and Histogram wrote", async () => {
  const before = new Registry();
  const requests = new Counter({
    name: "tickerplant_gateway_http_requests_total",
    help: "REST requests by route and status",
    labelNames: ["route", "status"],
    registers: [before],
  });
  const seconds = new Histogram({
    name: "tickerplant_gateway_http_request_seconds",
    help: "REST request duration by route",
    labelNames: ["route"],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [before],
  });
  const now = new Registry();
  const tally = new RequestMetrics([now]);
  const samples: Array<[string, number, number | undefined]> = [
    ["/api/v1/tickers", 200, 0.0012],
    ["/api/v1/candles", 200, 0.002], // on a bound: counted in it
    ["/api/v1/tickers", 404, 0.07],
    ["unmatched", 404, 3.5], // above every bound
    ["/api/v1/tickers", 200, undefined], // no start time: counted, not timed
    ["/api/v1/tickers", 200, 0.3],
    ["/api/v1/candles", 503, 1e-6],
  ];
  for (const [route, status, s] of samples) {
    requests.inc({ route, status });
    if (s !== undefined) seconds.observe({ route }, s);
    tally.record(route, status, s);
  }
  expect(await now.metrics()).toBe(await before.metrics());
  expect(await now.getMetricsAsJSON()).toEqual(await before.getMetricsAsJSON());
  now.resetMetrics();
  before.resetMetrics();
  expect(await now.metrics()).toBe(await before.metrics());
});
