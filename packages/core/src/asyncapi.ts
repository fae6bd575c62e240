import type { TSchema } from "@sinclair/typebox";
import { EVENTS_HEADER, EVENTS_VERSION, MAX_EVENTS_PER_MESSAGE } from "./event-batch.ts";
import { AlertFiringSchema } from "./schemas/alerts.ts";
import { CompositeSchema, SpreadSchema, StatsSchema } from "./schemas/analytics.ts";
import { MESSAGE_SCHEMAS, type MessageType } from "./schemas/messages.ts";
import { PortfolioValuationSchema } from "./schemas/portfolios.ts";

/**
 * The AsyncAPI 3 document of every NATS subject, made from the same TypeBox schemas as the code
 * (`bun packages/core/src/bin/asyncapi.ts > docs/asyncapi.json`; a test keeps the file current and
 * validates it with the AsyncAPI parser).
 */

/** Plain JSON Schema: TypeBox's `$id`s are dropped (the parser would try to resolve them). */
function jsonSchema(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema, (k, v) => (k === "$id" ? undefined : v)));
}

interface ChannelDef {
  address: string;
  title: string;
  description: string;
  stream: string;
  parameters: Record<string, string>;
  schema: TSchema;
  /** md.* messages carry event batches (NDJSON, `Tp-Events` header); an.* carry one JSON value. */
  batched: boolean;
}

const EXCHANGE = "exchange id (binance, bybit, okx, coinbase, kraken, whitebit, bingx)";
const MARKET = "normalized market: BASE-QUOTE, BASE-QUOTE-PERP or BASE-QUOTE-YYMMDD (e.g. BTC-USDT)";

const MARKET_DATA: Record<MessageType, { title: string; stream: string; description: string }> = {
  trade: { title: "Trades", stream: "MD_TRADES", description: "every trade, in exchange order" },
  bbo: { title: "Best bid and offer", stream: "MD_QUOTES", description: "top of book changes" },
  ticker: {
    title: "24 h tickers",
    stream: "MD_QUOTES",
    description: "rolling 24 h statistics from the exchange",
  },
  candle: {
    title: "Candles",
    stream: "MD_CANDLES",
    description: "candles as the exchange updates them; `closed: true` marks the final one",
  },
  book: {
    title: "Order books",
    stream: "MD_BOOKS",
    description:
      "a snapshot after every (re)sync and periodically, then deltas whose `prevSeq` is the previous message's `seq`",
  },
  deriv: {
    title: "Derivatives state",
    stream: "MD_DERIV",
    description: "mark/index price, funding, open interest",
  },
  liquidation: { title: "Liquidations", stream: "MD_DERIV", description: "forced orders" },
  status: {
    title: "Feed status",
    stream: "MD_STATUS",
    description:
      "connected, disconnected, stale, gap (with from/to), resync; market `_all` for a whole connection",
  },
};

function channels(): Record<string, ChannelDef> {
  const out: Record<string, ChannelDef> = {};
  for (const [type, d] of Object.entries(MARKET_DATA) as Array<
    [MessageType, (typeof MARKET_DATA)[MessageType]]
  >) {
    out[type] = {
      address:
        type === "candle" ? "md.candle.{exchange}.{market}.{interval}" : `md.${type}.{exchange}.{market}`,
      title: d.title,
      description: d.description,
      stream: d.stream,
      parameters:
        type === "candle"
          ? { exchange: EXCHANGE, market: MARKET, interval: "candle interval (1m, 5m, 1h, ...)" }
          : { exchange: EXCHANGE, market: MARKET },
      schema: MESSAGE_SCHEMAS[type],
      batched: true,
    };
  }
  out.stats = {
    address: "an.stats.{exchange}.{market}",
    title: "Rolling statistics",
    description: "the analyzer's rolling-window statistics per market",
    stream: "ANALYTICS",
    parameters: { exchange: EXCHANGE, market: MARKET },
    schema: StatsSchema,
    batched: false,
  };
  out.alert = {
    address: "an.alert.{exchange}.{market}",
    title: "Alert firings",
    description: "an alert rule fired for this market",
    stream: "ANALYTICS",
    parameters: { exchange: EXCHANGE, market: MARKET },
    schema: AlertFiringSchema,
    batched: false,
  };
  out.composite = {
    address: "an.composite.{asset}",
    title: "Composite price",
    description: "one price per asset across exchanges",
    stream: "ANALYTICS",
    parameters: { asset: "asset, e.g. BTC" },
    schema: CompositeSchema,
    batched: false,
  };
  out.spread = {
    address: "an.spread.{asset}",
    title: "Cross-exchange spreads",
    description: "best bid/ask across exchanges per asset",
    stream: "ANALYTICS",
    parameters: { asset: "asset, e.g. BTC" },
    schema: SpreadSchema,
    batched: false,
  };
  out.portfolio = {
    address: "an.portfolio.{id}",
    title: "Portfolio valuations",
    description: "a portfolio valued at the latest prices",
    stream: "ANALYTICS",
    parameters: { id: "portfolio id" },
    schema: PortfolioValuationSchema,
    batched: false,
  };
  return out;
}

export function asyncApiDocument(version = "0.1.0"): Record<string, unknown> {
  const defs = channels();
  const channelEntries: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(defs)) {
    messages[name] = c.batched
      ? {
          name,
          title: `${c.title} (event batch)`,
          summary: `One or more ${name} events; the payload schema is that of each line`,
          description: `Body: NDJSON, up to ${MAX_EVENTS_PER_MESSAGE} events of this subject, one JSON event per line, in order (header \`${EVENTS_HEADER}: ${EVENTS_VERSION}\`). Without the header the body is one JSON event. Decode with \`decodeEvents\` from @tickerplant/core or split the body on newlines. Each event keeps its own id (\`messageId()\`); drop repeated ids (redundant ingestors).`,
          contentType: "application/x-ndjson",
          headers: {
            type: "object",
            properties: {
              [EVENTS_HEADER]: {
                type: "string",
                enum: [EVENTS_VERSION],
                description: "event-batch format version; absent: the body is one JSON event",
              },
              "Nats-Msg-Id": {
                type: "string",
                description:
                  "one event: its id (e.g. trade:<ex>:<mkt>:<tradeId>); several: first id + count + a hash of all ids. The server drops a repeated id",
              },
            },
          },
          payload: jsonSchema(c.schema),
        }
      : { name, title: c.title, contentType: "application/json", payload: jsonSchema(c.schema) };
    channelEntries[name] = {
      address: c.address,
      title: c.title,
      description: `${c.description}. JetStream stream \`${c.stream}\`.`,
      parameters: Object.fromEntries(
        Object.entries(c.parameters).map(([p, description]) => [p, { description }]),
      ),
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
    };
    operations[`receive${name[0]!.toUpperCase()}${name.slice(1)}`] = {
      action: "receive",
      title: `Receive ${c.title.toLowerCase()}`,
      channel: { $ref: `#/channels/${name}` },
      messages: [{ $ref: `#/channels/${name}/messages/${name}` }],
    };
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Tickerplant market data",
      version,
      description:
        "Normalized crypto market data on NATS JetStream. Market data (md.*) messages are event batches: header `Tp-Events: 1`, body NDJSON (one normalized event per line). Timestamps are epoch milliseconds; prices and amounts are JSON numbers; `simulated: true` marks exchange-simulator data. Subscribe with a durable or ordered JetStream consumer on the stream named in each channel, or a plain NATS subscription for live data only. Not listed: `jobs.<kind>` (stream JOBS), the scheduler's internal work queue — its items point at job rows in SQL, and a foreign consumer on a work-queue stream would take work from the schedulers; submit jobs with `POST /api/v1/jobs`.",
    },
    defaultContentType: "application/x-ndjson",
    servers: {
      local: {
        host: "127.0.0.1:4222",
        protocol: "nats",
        description: "the NATS of `infra/stack.sh` (JetStream enabled)",
      },
    },
    channels: channelEntries,
    operations,
    components: { messages },
  };
}
