/**
 * The writer's durable consumers. NATS 2.9 allows one filter subject per consumer and it must lie
 * within the stream's subjects, so MD_QUOTES (md.bbo.> and md.ticker.>) and MD_DERIV (md.deriv.> and
 * md.liquidation.>) get two consumers each.
 * `exchange` is `*` in production; tests narrow it to their own exchange id.
 */
export interface ConsumerSpec {
  kind: "trades" | "candles" | "tickers" | "bbo" | "status" | "derivs" | "liquidations";
  stream: string;
  durable: string;
  filterSubject: string;
}

export function consumerSpecs(prefix = "storage", exchange = "*"): ConsumerSpec[] {
  return [
    {
      kind: "trades",
      stream: "MD_TRADES",
      durable: `${prefix}-trades`,
      filterSubject: `md.trade.${exchange}.>`,
    },
    {
      kind: "candles",
      stream: "MD_CANDLES",
      durable: `${prefix}-candles`,
      filterSubject: `md.candle.${exchange}.>`,
    },
    {
      kind: "tickers",
      stream: "MD_QUOTES",
      durable: `${prefix}-tickers`,
      filterSubject: `md.ticker.${exchange}.>`,
    },
    { kind: "bbo", stream: "MD_QUOTES", durable: `${prefix}-bbo`, filterSubject: `md.bbo.${exchange}.>` },
    {
      kind: "status",
      stream: "MD_STATUS",
      durable: `${prefix}-status`,
      filterSubject: `md.status.${exchange}.>`,
    },
    {
      kind: "derivs",
      stream: "MD_DERIV",
      durable: `${prefix}-deriv`,
      filterSubject: `md.deriv.${exchange}.>`,
    },
    {
      kind: "liquidations",
      stream: "MD_DERIV",
      durable: `${prefix}-liquidations`,
      filterSubject: `md.liquidation.${exchange}.>`,
    },
  ];
}
