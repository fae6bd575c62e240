// A WebSocket client of the gateway: subscribe, print data, answer nothing else.
//   GATEWAY_WS=ws://localhost:8080/ws bun examples/ws-client.ts "trade:binance:*" "ticker:*:BTC-USDT"
// Protocol: docs/api.md (subscribe with an optional `since` to replay from a stream sequence).
const url = process.env.GATEWAY_WS ?? "ws://localhost:8080/ws";
const channels = process.argv.slice(2);
const ws = new WebSocket(url);

ws.onopen = () => {
  ws.send(
    JSON.stringify({ op: "subscribe", channels: channels.length ? channels : ["trade:binance:*"], id: 1 }),
  );
  // Keep the connection visibly alive through proxies that close idle sockets.
  setInterval(() => ws.send(JSON.stringify({ op: "ping" })), 30_000);
};
ws.onmessage = (event) => {
  const msg = JSON.parse(String(event.data));
  if (msg.type === "error") console.error(`error ${msg.code}: ${msg.message}`);
  else if (msg.channel) console.log(JSON.stringify({ channel: msg.channel, seq: msg.seq, ...msg.data }));
  else if (msg.type === "subscribed") console.error(`subscribed: ${msg.channels.join(", ")}`);
};
ws.onclose = (event) => {
  console.error(`closed ${event.code} ${event.reason}`);
  process.exit(event.code === 1000 ? 0 : 1);
};
