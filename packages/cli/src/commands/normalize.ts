import { type FrameResult, getAdapter, getExchange, type ParseContext } from "@tickerplant/core";
import { frameOf, readLines } from "../lines.ts";

export interface Io {
  input: ReadableStream<Uint8Array>;
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
}

/**
 * Raw frames in, normalized JSON lines out, through the exchange adapter the ingestor uses.
 * The frames are one connection's: parser state carries over from line to line.
 */
export async function normalize(args: { exchange?: string; marketType?: string }, io: Io): Promise<number> {
  if (!args.exchange) {
    io.err.write("normalize: --exchange is required\n");
    return 2;
  }
  const exchange = getExchange(args.exchange);
  if (!exchange) {
    io.err.write(`normalize: unknown exchange "${args.exchange}"\n`);
    return 2;
  }
  const marketType = args.marketType === "perp" ? "perp" : args.marketType === "spot" ? "spot" : undefined;
  const adapter = marketType && getAdapter(exchange.id, marketType);
  if (!adapter) {
    const types = exchange.adapters.map((a) => a.marketType).join(", ");
    io.err.write(`normalize: ${exchange.id} has no market type "${args.marketType}" (has: ${types})\n`);
    return 2;
  }
  const ctx: ParseContext = { recvTs: 0, marketOf: (s) => adapter.marketOfSymbol(s), state: new Map() };
  const counts = new Map<string, number>();
  let line = 0;
  for await (const text of readLines(io.input)) {
    line++;
    ctx.recvTs = Date.now();
    const result: FrameResult = adapter.parseFrame(frameOf(text), ctx);
    counts.set(result.kind, (counts.get(result.kind) ?? 0) + 1);
    if (result.kind === "data") {
      for (const msg of result.messages) io.out.write(`${JSON.stringify(msg)}\n`);
    } else if (result.kind === "invalid") {
      io.err.write(`line ${line}: ${result.reason}: ${result.detail}\n`);
    } else if (result.kind === "error") {
      io.err.write(`line ${line}: exchange error: ${result.message}\n`);
    }
  }
  const summary = [...counts].map(([k, n]) => `${k}=${n}`).join(" ");
  io.err.write(`normalize: ${line} frames (${summary || "none"})\n`);
  return 0;
}
