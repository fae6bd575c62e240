export * from "./processes.ts";
export * from "./simulator/index.ts";
