import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { DerivSchema, StatsSchema, TickerSchema } from "@tickerplant/core";
import { createMirror } from "exact-mirror";
import type { LatestEntry, LatestKind } from "./latest-state.ts";
import { isLatestMessage } from "./message-check.ts";

const SCHEMAS: Partial<Record<LatestKind, TSchema>> = {
  ticker: TickerSchema,
  stats: StatsSchema,
  deriv: DerivSchema,
};

/**
 * The JSON of stored latest-state records as the REST routes answer them, made once per record:
 * LatestCache shares one read among the requests of `LATEST_CACHE_MS`, so each request only adds
 * its freshness. The record is checked against its message schema and written with the fields of
 * that schema in its order (exact-mirror, as Elysia's response check would), which spares
 * Elysia's check, copy and serialization of every record for every request (docs/benchmarks.md,
 * "Gateway REST").
 */
export class LatestJson {
  private readonly written = new WeakMap<LatestEntry, string | null>();
  private readonly mirrors = new Map<LatestKind, (value: unknown) => unknown>();

  /** The record's JSON without its closing brace (`{"type":…,"ask":1`), or null when it does not match its schema. */
  open(kind: LatestKind, entry: LatestEntry): string | null {
    let json = this.written.get(entry);
    if (json === undefined) {
      json = isLatestMessage(kind, entry.data) ? JSON.stringify(this.mirror(kind)(entry.data)) : null;
      if (json !== null) json = json === "{}" ? "{" : `${json.slice(0, -1)},`;
      this.written.set(entry, json);
    }
    return json;
  }

  private mirror(kind: LatestKind): (value: unknown) => unknown {
    let mirror = this.mirrors.get(kind);
    if (!mirror) {
      const schema = SCHEMAS[kind];
      if (!schema) throw new Error(`no REST schema for latest ${kind}`);
      mirror = createMirror(schema, { TypeCompiler }) as (value: unknown) => unknown;
      this.mirrors.set(kind, mirror);
    }
    return mirror;
  }
}
