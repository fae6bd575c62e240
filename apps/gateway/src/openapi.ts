import { openapi } from "@elysiajs/openapi";

// Swagger UI's page puts info.description into an HTML attribute unescaped: keep quotes out of it
// and document the WebSocket protocol on its own tag instead.
const DESCRIPTION =
  "Tickerplant market data: REST under /api/v1 and a WebSocket at /ws (see the websocket tag). " +
  "Timestamps are epoch milliseconds (the fraction carries microseconds); data from the exchange simulator is flagged simulated: true.";

const WEBSOCKET_DOC = `REST errors are \`{"error":{"code":"...","message":"..."}}\` with the HTTP status: 400 invalid_request,
404 unknown_exchange / unknown_market / not_found, 500 internal, 503 unavailable (and book_unavailable for an order book not in sync).

**WebSocket \`/ws\`.** Channels: \`<type>:<exchange>:<market>\` and \`candle:<exchange>:<market>:<interval>\`; \`*\` may stand for
the exchange, the market or the interval (\`ticker:*:BTC-USDT\`, \`trade:binance:*\`). Types: trade, bbo,
ticker, candle, book, deriv, liquidation, status, stats, alert.

- \`{"op":"subscribe","channels":["trade:binance:BTC-USDT"],"id":1}\` → \`{"type":"subscribed","channels":[...],"id":1}\`
- \`{"op":"unsubscribe","channels":[...],"id":2}\` → \`{"type":"unsubscribed","channels":[...],"id":2}\`
- \`{"op":"ping"}\` → \`{"type":"pong"}\`
- data: \`{"channel":"trade:binance:BTC-USDT","seq":123,"data":{...normalized message...}}\`; \`seq\` is the
  JetStream stream sequence, increasing per channel. ticker/bbo/stats subscriptions first get the latest
  stored value with \`"snapshot":true\` (its \`seq\` is null when the store has none).
- resume: \`"since"\` on subscribe, a stream sequence (inclusive: pass last seq + 1) or an ISO-8601 time,
  replays from JetStream and continues live (no snapshot then).
- book channels (\`book:binance:BTC-USDT\`, patterns too): first the whole book (\`"snapshot":true\`, \`data.kind\`
  snapshot), then deltas whose \`data.prevSeq\` is the previous frame's \`data.seq\` (amount 0 deletes a level).
  A \`data.kind\` snapshot replaces the book. A client that falls behind gets a fresh snapshot instead of a hole;
  \`since\` does not apply (a book resumes with a snapshot).
- errors: \`{"type":"error","code":"...","message":"...","id":1}\`; the connection stays open. Codes:
  invalid_json, invalid_request, unknown_op, invalid_channel, unknown_channel_type, invalid_interval,
  invalid_since, too_many_subscriptions, message_too_large, rate_limited, unavailable.
- closes (1008): flooding (5× the message rate limit for 2 s), slow consumer (a client whose send buffer
  exceeds the limit on lossless channels such as trades; quote channels are conflated to the latest value instead).`;

/** The OpenAPI document at /openapi.json and Swagger UI at /docs, both served locally. */
export function openapiPlugin(version: string) {
  return openapi({
    path: "/docs",
    specPath: "/openapi.json",
    provider: "swagger-ui",
    swagger: {
      cdn: "/docs/assets/swagger-ui-bundle.js",
      theme: "/docs/assets/swagger-ui.css",
      version,
    },
    exclude: { paths: ["/", "/ws", /^\/dashboard\//, /^\/docs/] },
    documentation: {
      info: { title: "Tickerplant gateway", version, description: DESCRIPTION },
      tags: [
        { name: "websocket", description: WEBSOCKET_DOC },
        { name: "reference", description: "Exchanges and markets" },
        { name: "market data", description: "Tickers, trades, candles, derivatives state and liquidations" },
        { name: "analytics", description: "Analyzer output" },
        { name: "operations", description: "Health and metrics" },
      ],
    },
  });
}
