export * from "./book-side.ts";
export * from "./order-book.ts";
export * from "./replica.ts";
export * from "./replicas.ts";
export * from "./sync.ts";
