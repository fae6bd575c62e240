export * from "./adapter.ts";
export * from "./book/index.ts";
export * from "./channels.ts";
export * from "./errors.ts";
export * from "./exchanges/registry.ts";
export * from "./markets.ts";
export * from "./schemas/index.ts";
export * from "./subjects.ts";
