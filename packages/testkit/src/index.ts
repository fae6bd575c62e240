export * from "./simulator/index.ts";
export * from "./processes.ts";
