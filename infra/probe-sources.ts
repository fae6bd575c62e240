// SOURCE=auto, decided per exchange: asks each exchange's REST market list (the adapters' own
// default URL and request) and prints `id=live` for those that answer 2xx within the timeout,
// `id=simulated` for the others, comma-separated. Used by infra/up.sh; no exchange names here.
//   bun infra/probe-sources.ts binance,okx,kraken   →   binance=live,okx=simulated,kraken=live
import { getExchange } from "@tickerplant/core";

export interface ProbeOptions {
  timeoutMs?: number;
  /** Base URLs instead of the adapters' defaults, keyed `<id>.<marketType>.rest` or `<id>.rest` (tests). */
  overrides?: Record<string, string>;
}

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

async function probe(id: string, o: ProbeOptions): Promise<string> {
  const exchange = getExchange(id);
  if (!exchange) throw new Error(`unknown exchange "${id}"`);
  // Every adapter (spot, perp) must answer: one feed on live data and one on the simulator would
  // mislabel the exchange.
  const results = await Promise.all(
    exchange.adapters.map((a) => {
      const req = a.rest.marketsRequest();
      const query = new URLSearchParams(
        Object.entries(req.query).map(([k, v]): [string, string] => [k, String(v)]),
      );
      const base =
        o.overrides?.[`${id}.${a.marketType}.rest`] ?? o.overrides?.[`${id}.rest`] ?? a.rest.defaultUrl;
      return answers(`${base}${req.path}${query.size > 0 ? `?${query}` : ""}`, o.timeoutMs ?? 5000);
    }),
  );
  return `${id}=${results.every(Boolean) ? "live" : "simulated"}`;
}

/** Each exchange's source, probed in parallel and independently: `binance=live,okx=simulated`. */
export async function probeSources(ids: string[], o: ProbeOptions = {}): Promise<string> {
  return (await Promise.all(ids.map((id) => probe(id, o)))).join(",");
}

if (import.meta.main) {
  const ids = (process.argv[2] ?? "").split(",").filter(Boolean);
  console.log(await probeSources(ids, { timeoutMs: Number(process.env.PROBE_TIMEOUT_MS ?? 5000) }));
}
