export * from "./nats-cluster.ts";
export * from "./nats-server.ts";
export * from "./processes.ts";
export * from "./simulator/index.ts";
export * from "./until.ts";
