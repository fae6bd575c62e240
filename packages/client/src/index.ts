export { dataOf } from "./data.ts";
export { errorFromResponse, GatewayError, GatewayUnreachableError } from "./errors.ts";
export {
  createGatewayClient,
  type GatewayClient,
  type GatewayClientOptions,
  type GatewayTreaty,
} from "./rest.ts";
export {
  type ChannelMessage,
  type GatewayStream,
  type GatewayStreamOptions,
  openGatewayStream,
  type StreamError,
} from "./stream.ts";
