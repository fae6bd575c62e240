export {
  ALERT_KINDS,
  type AlertFiring,
  type AlertKind,
  type AlertRule,
  type AlertRuleInput,
  type Composite,
  type CompositeSource,
  dataOf,
  type HoldingInput,
  type PlatformStatus,
  type Portfolio,
  type Spread,
} from "./contract.ts";
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
