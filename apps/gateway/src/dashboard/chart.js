// Candlestick chart with volume (TradingView Lightweight Charts, served from the npm package):
// history from /api/v1/candles, then live updates from the candle channel.
import { $, getJson } from "./format.js";
import { on, subscribe, unsubscribe } from "./socket.js";

const LWC = window.LightweightCharts;
let chart;
let candles;
let volume;
let channel = null;
let lastTime = 0;
let count = 0;

const UP = "#26a69a";
const DOWN = "#ef5350";

function create() {
  chart = LWC.createChart($("chart"), {
    autoSize: true,
    layout: { background: { type: "solid", color: "#0f1115" }, textColor: "#c8c8c8", attributionLogo: true },
    grid: { vertLines: { color: "#1d2129" }, horzLines: { color: "#1d2129" } },
    timeScale: { timeVisible: true, secondsVisible: true },
  });
  candles = chart.addSeries(LWC.CandlestickSeries, {
    upColor: UP,
    downColor: DOWN,
    borderVisible: false,
    wickUpColor: UP,
    wickDownColor: DOWN,
  });
  candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.28 } });
  volume = chart.addSeries(LWC.HistogramSeries, { priceFormat: { type: "volume" }, priceScaleId: "" });
  volume.priceScale().applyOptions({ scaleMargins: { top: 0.78, bottom: 0 } });
}

const bar = (c) => ({
  time: Math.floor(c.openTime / 1000),
  open: c.open,
  high: c.high,
  low: c.low,
  close: c.close,
});
const vol = (c) => ({
  time: Math.floor(c.openTime / 1000),
  value: c.volume,
  color: c.close >= c.open ? `${UP}88` : `${DOWN}88`,
});

function info(text) {
  $("chart-info").textContent = text;
}

/** Loads the chosen market's candles and follows its live channel. */
export async function showChart(exchange, market, interval) {
  if (!chart) create();
  if (channel) unsubscribe([channel]);
  channel = `candle:${exchange}:${market}:${interval}`;
  subscribe([channel]);
  const q = new URLSearchParams({ exchange, market, interval, limit: "500" });
  try {
    const body = await getJson(`/api/v1/candles?${q}`);
    const rows = (body?.data ?? []).filter((c) => Number.isFinite(c.openTime));
    // Enough decimals for the market's price (0.3 needs more than 30000).
    const last = rows.length ? rows[rows.length - 1].close : 1;
    const precision = Math.min(8, Math.max(2, 4 - Math.floor(Math.log10(Math.abs(last) || 1))));
    candles.applyOptions({ priceFormat: { type: "price", precision, minMove: 10 ** -precision } });
    candles.setData(rows.map(bar));
    volume.setData(rows.map(vol));
    count = rows.length;
    lastTime = rows.length ? bar(rows[rows.length - 1]).time : 0;
    chart.timeScale().fitContent();
    const simulated = rows.some((c) => c.simulated);
    $("chart").dataset.candles = String(count);
    info(`${exchange} ${market} ${interval}: ${count} candles${simulated ? " — SIMULATED DATA" : ""}`);
  } catch (err) {
    candles.setData([]);
    volume.setData([]);
    count = 0;
    $("chart").dataset.candles = "0";
    info(`${exchange} ${market} ${interval}: ${err.message}`);
  }
}

on(
  (c) => c === channel,
  (msg) => {
    const c = msg.data;
    const b = bar(c);
    if (b.time < lastTime) return; // older than what the chart shows
    if (b.time > lastTime) count++;
    lastTime = b.time;
    candles.update(b);
    volume.update(vol(c));
    $("chart").dataset.candles = String(count);
  },
);

export function initChart() {
  $("chart-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    showChart(
      $("chart-exchange").value.trim(),
      $("chart-market").value.trim().toUpperCase(),
      $("chart-interval").value,
    );
  });
  const params = new URLSearchParams(location.search);
  if (params.get("exchange")) $("chart-exchange").value = params.get("exchange");
  if (params.get("market")) $("chart-market").value = params.get("market").toUpperCase();
  if (params.get("interval")) $("chart-interval").value = params.get("interval");
  showChart($("chart-exchange").value, $("chart-market").value, $("chart-interval").value);
}
