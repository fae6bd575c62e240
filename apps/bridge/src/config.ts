import { type Static, Type as T } from "@sinclair/typebox";
import { loadConfig, NatsEnv, ServiceEnv } from "@tickerplant/runtime";

/** Bridges to other systems; each is off until its one switch (its URL or endpoint) is set. */
export const BridgeEnv = T.Object({
  ...ServiceEnv,
  HTTP_PORT: T.Integer({ default: 9105, minimum: 0, maximum: 65535 }),
  ...NatsEnv,
  RABBITMQ_URL: T.String({
    default: "",
    description: "amqp://user:pass@host:5672/vhost — set to turn the RabbitMQ bridge on",
  }),
  RABBITMQ_EXCHANGE: T.String({ default: "crypto.events", minLength: 1, description: "topic exchange" }),
  RABBITMQ_MAX_PER_SECOND: T.Number({
    default: 1,
    exclusiveMinimum: 0,
    maximum: 100,
    description: "most price/ticker events per market and event name per second (newest value wins)",
  }),
  ZEROMQ_PUB_ENDPOINT: T.String({
    default: "",
    description: "e.g. tcp://0.0.0.0:5556 — set to turn the ZeroMQ PUB bridge on",
  }),
  ZEROMQ_SNDHWM: T.Integer({ default: 100_000, minimum: 1, description: "messages queued per subscriber" }),
});

export type BridgeConfig = Static<typeof BridgeEnv>;

export function loadBridgeConfig(env: Record<string, string | undefined>): BridgeConfig {
  const config = loadConfig(BridgeEnv, env);
  if (config.RABBITMQ_URL === "" && config.ZEROMQ_PUB_ENDPOINT === "") {
    throw new Error("no bridge is on: set RABBITMQ_URL and/or ZEROMQ_PUB_ENDPOINT");
  }
  return config;
}
