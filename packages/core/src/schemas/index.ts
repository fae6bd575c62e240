export * from "./alerts.ts";
export * from "./analytics.ts";
export * from "./jobs.ts";
export * from "./market-info.ts";
export * from "./messages.ts";
export * from "./portfolios.ts";
export * from "./subscription.ts";
