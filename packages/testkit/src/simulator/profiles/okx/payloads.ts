import type { Level } from "../../market/book.ts";
import type { Bbo, Candle, SimDeriv, SimLiquidation, SimTrade, TickerState } from "../../market/types.ts";
import { dec, dec8 } from "./wire.ts";

/**
 * OKX v5 WebSocket frames, field for field as the exchange sends them: numbers as short decimal
 * strings, timestamps as strings of epoch ms, sequence ids as JSON numbers. Simulated swaps have
 * ctVal = 1 (one contract = one unit of base, as the generator's perpetuals), so sizes in
 * contracts equal base amounts.
 */

/** How one market's numbers are written. */
export interface Wire {
  instId: string;
  instType: "SPOT" | "SWAP";
  priceDecimals: number;
  qtyDecimals: number;
}

const px = (w: Wire, v: number) => dec(v, w.priceDecimals);
const sz = (w: Wire, v: number) => dec(v, w.qtyDecimals);

function tradeRow(w: Wire, t: SimTrade, aggregated: boolean): string {
  const count = aggregated ? `,"count":"1"` : "";
  return `{"instId":"${w.instId}","tradeId":"${t.id}","px":"${px(w, t.price)}","sz":"${sz(w, t.amount)}","side":"${t.side}","source":"0"${count},"ts":"${t.ts}"}`;
}

/** `trades` (each simulated trade is one taker order at one price: count 1) and `trades-all`. */
export function tradeFrame(w: Wire, channel: "trades" | "trades-all", t: SimTrade): string {
  return `{"arg":{"channel":"${channel}","instId":"${w.instId}"},"data":[${tradeRow(w, t, channel === "trades")}]}`;
}

function levels(w: Wire, ls: readonly Level[]): string {
  let out = "[";
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (i > 0) out += ",";
    out += `["${px(w, l[0])}","${sz(w, l[1])}","0","${l[1] > 0 ? 1 : 0}"]`;
  }
  return `${out}]`;
}

export function bboFrame(w: Wire, b: Bbo): string {
  return (
    `{"arg":{"channel":"bbo-tbt","instId":"${w.instId}"},"data":[{"asks":[["${px(w, b.askPrice)}","${sz(w, b.askAmount)}","0","1"]],` +
    `"bids":[["${px(w, b.bidPrice)}","${sz(w, b.bidAmount)}","0","1"]],"ts":"${b.ts}","seqId":${b.updateId}}]}`
  );
}

/**
 * `books`: a snapshot (prevSeqId -1) on subscribe, then updates chained by prevSeqId. The
 * checksum field is present and 0, as in production since 2026-06-23.
 */
export function bookFrame(
  w: Wire,
  action: "snapshot" | "update",
  bids: readonly Level[],
  asks: readonly Level[],
  ts: number,
  seqId: number,
  prevSeqId: number,
): string {
  return (
    `{"arg":{"channel":"books","instId":"${w.instId}"},"action":"${action}","data":[{"asks":${levels(w, asks)},` +
    `"bids":${levels(w, bids)},"ts":"${ts}","checksum":0,"prevSeqId":${prevSeqId},"seqId":${seqId}}]}`
  );
}

export function books5Frame(
  w: Wire,
  bids: readonly Level[],
  asks: readonly Level[],
  ts: number,
  seqId: number,
): string {
  return (
    `{"arg":{"channel":"books5","instId":"${w.instId}"},"data":[{"asks":${levels(w, asks)},"bids":${levels(w, bids)},` +
    `"instId":"${w.instId}","ts":"${ts}","seqId":${seqId}}]}`
  );
}

/** `tickers`: spot vol24h is base and volCcy24h quote; for swaps vol24h counts contracts and volCcy24h is base. */
export function tickerFrame(w: Wire, s: TickerState, b: Bbo, ts: number): string {
  const swap = w.instType === "SWAP";
  const vol24h = dec8(s.volume);
  const volCcy24h = dec8(swap ? s.volume : s.quoteVolume);
  return (
    `{"arg":{"channel":"tickers","instId":"${w.instId}"},"data":[{"instType":"${w.instType}","instId":"${w.instId}",` +
    `"last":"${px(w, s.last)}","lastSz":"${sz(w, s.lastAmount)}","askPx":"${px(w, b.askPrice)}","askSz":"${sz(w, b.askAmount)}",` +
    `"bidPx":"${px(w, b.bidPrice)}","bidSz":"${sz(w, b.bidAmount)}","open24h":"${px(w, s.open)}","high24h":"${px(w, s.high)}",` +
    `"low24h":"${px(w, s.low)}","sodUtc0":"${px(w, s.open)}","sodUtc8":"${px(w, s.open)}","volCcy24h":"${volCcy24h}",` +
    `"vol24h":"${vol24h}","ts":"${ts}"}]}`
  );
}

/** A candle row `[ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm]` (REST rows are the same). */
export function candleRow(w: Wire, c: Candle): string[] {
  const swap = w.instType === "SWAP";
  return [
    String(c.openTime),
    px(w, c.open),
    px(w, c.high),
    px(w, c.low),
    px(w, c.close),
    dec8(c.volume),
    dec8(swap ? c.volume : c.quoteVolume),
    dec8(c.quoteVolume),
    c.closed ? "1" : "0",
  ];
}

export function candleFrame(w: Wire, channel: string, c: Candle): string {
  return `{"arg":{"channel":"${channel}","instId":"${w.instId}"},"data":[${JSON.stringify(candleRow(w, c))}]}`;
}

export function markPriceFrame(w: Wire, d: SimDeriv, ts: number): string {
  return `{"arg":{"channel":"mark-price","instId":"${w.instId}"},"data":[{"instId":"${w.instId}","instType":"SWAP","markPx":"${px(w, d.markPrice)}","ts":"${ts}"}]}`;
}

export function indexTickerFrame(index: string, d: SimDeriv, ts: number): string {
  const idx = dec(d.indexPrice, 8);
  return (
    `{"arg":{"channel":"index-tickers","instId":"${index}"},"data":[{"instId":"${index}","idxPx":"${idx}",` +
    `"high24h":"${idx}","low24h":"${idx}","open24h":"${idx}","sodUtc0":"${idx}","sodUtc8":"${idx}","ts":"${ts}"}]}`
  );
}

const FUNDING_PERIOD_MS = 8 * 3_600_000;

/** fundingTime = when the current rate is charged; OKX's nextFundingTime is the period after it. */
export function fundingRateFrame(w: Wire, d: SimDeriv, ts: number): string {
  return (
    `{"arg":{"channel":"funding-rate","instId":"${w.instId}"},"data":[{"fundingRate":"${dec(d.fundingRate, 8)}",` +
    `"fundingTime":"${d.nextFundingTime}","instId":"${w.instId}","instType":"SWAP","interestRate":"0.0001",` +
    `"method":"current_period","nextFundingRate":"","nextFundingTime":"${d.nextFundingTime + FUNDING_PERIOD_MS}",` +
    `"premium":"0","settState":"settled","ts":"${ts}"}]}`
  );
}

export function openInterestFrame(w: Wire, d: SimDeriv, ts: number): string {
  const oi = sz(w, d.openInterest);
  return (
    `{"arg":{"channel":"open-interest","instId":"${w.instId}"},"data":[{"instId":"${w.instId}","instType":"SWAP",` +
    `"oi":"${oi}","oiCcy":"${oi}","oiUsd":"${dec(d.openInterest * d.markPrice, 2)}","ts":"${ts}"}]}`
  );
}

/** One liquidation order; `side` sell closes a long (posSide long), buy a short. */
export function liquidationFrame(w: Wire, l: SimLiquidation): string {
  const pair = w.instId.slice(0, -"-SWAP".length);
  return (
    `{"arg":{"channel":"liquidation-orders","instType":"SWAP"},"data":[{"details":[{"bkLoss":"0","bkPx":"${px(w, l.price)}",` +
    `"ccy":"","posSide":"${l.side === "sell" ? "long" : "short"}","side":"${l.side}","sz":"${sz(w, l.amount)}","ts":"${l.ts}"}],` +
    `"instFamily":"${pair}","instId":"${w.instId}","instType":"SWAP","uly":"${pair}"}]}`
  );
}

export function ackFrame(
  event: "subscribe" | "unsubscribe",
  arg: object,
  connId: string,
  id?: string,
): string {
  const idPart = id === undefined ? "" : `"id":${JSON.stringify(id)},`;
  return `{${idPart}"event":"${event}","arg":${JSON.stringify(arg)},"connId":"${connId}"}`;
}

export function errorFrame(code: string, msg: string, connId: string, id?: string): string {
  const idPart = id === undefined ? "" : `"id":${JSON.stringify(id)},`;
  return `{${idPart}"event":"error","code":"${code}","msg":${JSON.stringify(msg)},"connId":"${connId}"}`;
}

/** Sent before a planned close (service upgrade). */
export function noticeFrame(): string {
  return `{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade. Please reconnect."}`;
}
