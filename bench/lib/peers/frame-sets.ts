/**
 * Which recorded frames each of our adapters is measured on, and what the peers are given for the
 * same frames. A peer that cannot parse a set offline carries the reason instead of an id.
 */

export interface Skip {
  skip: string;
}

export interface RestSnapshot {
  file: string;
  /** The exchange's symbol the snapshot is for. */
  symbol: string;
}

export interface FrameSet {
  label: string;
  exchange: string;
  marketType: "spot" | "perp";
  files: string[];
  /**
   * REST depth snapshots the recorded diffs continue (Binance). Ours normalizes every diff on its
   * own; tardis-dev and ccxt emit or apply diffs only after a snapshot, so they get it before each
   * pass (untimed), as their live feeds would.
   */
  snapshots?: RestSnapshot[];
  /** tardis-dev exchange id for its normalizers. */
  tardis: string | Skip;
  /** ccxt.pro class and the WebSocket URL its handlers expect (some route by URL). */
  ccxt: { id: string; url: string } | Skip;
}

const TARDIS_NO_WHITEBIT: Skip = { skip: "no WhiteBIT mappers" };
const TARDIS_NO_BINGX: Skip = { skip: "no BingX mappers" };

export const FRAME_SETS: FrameSet[] = [
  {
    label: "Binance spot (+ Binance.US)",
    exchange: "binance",
    marketType: "spot",
    files: [
      "binance/spot_NKNUSDT_ws.jsonl",
      "binance/spot_testnet_BTCUSDT_trade_bookTicker_depth_2026_ws.jsonl",
      "binance/tardis_spot_messages.jsonl",
      "binance-us/spot_OMGBUSD_ws.jsonl",
      "binance-us/spot_ZRXUSDT_ws.jsonl",
    ],
    snapshots: [
      { file: "binance/spot_NKNUSDT_rest_depth_snapshot.json", symbol: "NKNUSDT" },
      { file: "binance-us/spot_OMGBUSD_rest_depth_snapshot.json", symbol: "OMGBUSD" },
      { file: "binance-us/spot_ZRXUSDT_rest_depth_snapshot.json", symbol: "ZRXUSDT" },
    ],
    tardis: "binance",
    ccxt: { id: "binance", url: "wss://stream.binance.com:9443/stream" },
  },
  {
    label: "Binance USD-M",
    exchange: "binance",
    marketType: "perp",
    files: [
      "binance-futures/usdm_AKROUSDT_ws.jsonl",
      "binance-futures/usdm_KEEPUSDT_ws.jsonl",
      "binance-futures/usdm_SUSHIUSDT_ws.jsonl",
      "binance-futures/usdm_markPrice1s_BTCUSDT_ETHUSDT_2026_ws.jsonl",
      "binance-futures/tardis_usdm_messages.jsonl",
    ],
    snapshots: [
      { file: "binance-futures/usdm_AKROUSDT_rest_depth_snapshot.json", symbol: "AKROUSDT" },
      { file: "binance-futures/usdm_KEEPUSDT_rest_depth_snapshot.json", symbol: "KEEPUSDT" },
      { file: "binance-futures/usdm_SUSHIUSDT_rest_depth_snapshot.json", symbol: "SUSHIUSDT" },
    ],
    tardis: "binance-futures",
    // fstream's URL has no "/stream" path: ccxt then treats the frames as futures
    ccxt: { id: "binanceusdm", url: "wss://fstream.binance.com/ws" },
  },
  {
    label: "Bybit v5 spot",
    exchange: "bybit",
    marketType: "spot",
    files: ["bybit/v5_spot_testnet_BTCUSDT_ws.jsonl"],
    tardis: "bybit-spot",
    ccxt: { id: "bybit", url: "wss://stream.bybit.com/v5/public/spot" },
  },
  {
    label: "Bybit v5 linear",
    exchange: "bybit",
    marketType: "perp",
    files: ["bybit/v5_linear_tickers_BTCUSDT_2026_ws.jsonl", "bybit/tardis_v5_messages.jsonl"],
    tardis: "bybit",
    ccxt: { id: "bybit", url: "wss://stream.bybit.com/v5/public/linear" },
  },
  {
    label: "OKX v5 spot",
    exchange: "okx",
    marketType: "spot",
    files: ["okx/v5_BTC-USDT_ws.jsonl", "okx/tardis_v5_spot_messages.jsonl"],
    tardis: "okex",
    ccxt: { id: "okx", url: "wss://ws.okx.com:8443/ws/v5/public" },
  },
  {
    label: "OKX v5 derivatives (dated futures)",
    exchange: "okx",
    marketType: "perp",
    files: ["okx/v5_BTC-USD-220527_ws.jsonl", "okx/tardis_v5_futures_messages.jsonl"],
    tardis: "okex-futures",
    ccxt: { id: "okx", url: "wss://ws.okx.com:8443/ws/v5/public" },
  },
  {
    label: "Kraken (v1 recordings)",
    exchange: "kraken",
    marketType: "spot",
    files: [
      "kraken/v1_book1000_WAVESEUR_ws.jsonl",
      "kraken/v1_book1000_XMRUSD_ws.jsonl",
      "kraken/v1_ticker_allpairs_ws.jsonl",
      "kraken/v1_trade_allpairs_ws.jsonl",
      "kraken/tardis_v1_messages.jsonl",
    ],
    tardis: "kraken",
    ccxt: {
      skip: "ccxt's Kraken watch* speaks WS v2 only; the recordings are v1 (array frames): nothing parsed",
    },
  },
  {
    label: "Coinbase Exchange feed (legacy)",
    exchange: "coinbase",
    marketType: "spot",
    files: [
      "coinbase/exchange_legacy_BAND-GBP_ws.jsonl",
      "coinbase/exchange_legacy_SKL-USD_ws.jsonl",
      "coinbase/tardis_exchange_legacy_messages.jsonl",
    ],
    tardis: "coinbase",
    ccxt: { id: "coinbaseexchange", url: "wss://ws-feed.exchange.coinbase.com" },
  },
  {
    label: "Coinbase Advanced Trade",
    exchange: "coinbase",
    marketType: "spot",
    files: ["coinbase/advanced_trade_BTC-USD_ETH-USD_ws.jsonl"],
    tardis: { skip: "its coinbase mappers read the retired Exchange feed only" },
    ccxt: { id: "coinbase", url: "wss://advanced-trade-ws.coinbase.com" },
  },
  {
    label: "WhiteBIT v4 (docs examples)",
    exchange: "whitebit",
    marketType: "spot",
    files: ["whitebit/ws_docs_examples.jsonl"],
    tardis: TARDIS_NO_WHITEBIT,
    ccxt: { id: "whitebit", url: "wss://api.whitebit.com/ws" },
  },
  {
    label: "BingX perpetual swaps (decoded)",
    exchange: "bingx",
    marketType: "perp",
    files: ["bingx/swap_ws_decoded_samples.jsonl"],
    tardis: TARDIS_NO_BINGX,
    ccxt: { id: "bingx", url: "wss://open-api-swap.bingx.com/swap-market" },
  },
];

/** Adapters with no recorded frames of their own (reported, not measured). */
export const UNRECORDED: Array<{ exchange: string; marketType: "spot" | "perp"; why: string }> = [
  { exchange: "bingx", marketType: "spot", why: "no recorded BingX spot frames in the fixtures" },
];

export const isSkip = (x: unknown): x is Skip => typeof x === "object" && x !== null && "skip" in x;
