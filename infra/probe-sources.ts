// SOURCE=auto, decided per exchange: asks each exchange's REST market list (the adapters' own
// default URL and request) and prints `id=live` for those that answer 2xx within the timeout,
// `id=simulated` for the others, comma-separated. Used by infra/up.sh; no exchange names here.
//   bun infra/probe-sources.ts binance,okx,kraken   →   binance=live,okx=simulated,kraken=live
import { getExchange } from "@tickerplant/core";

const TIMEOUT_MS = Number(process.env.PROBE_TIMEOUT_MS ?? 5000);

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

async function probe(id: string): Promise<string> {
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
      return answers(`${a.rest.defaultUrl}${req.path}${query.size > 0 ? `?${query}` : ""}`);
    }),
  );
  return `${id}=${results.every(Boolean) ? "live" : "simulated"}`;
}

const ids = (process.argv[2] ?? "").split(",").filter(Boolean);
console.log((await Promise.all(ids.map(probe))).join(","));
