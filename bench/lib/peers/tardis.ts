import {
  type Mapper,
  normalizeBookChanges,
  normalizeBookTickers,
  normalizeDerivativeTickers,
  normalizeLiquidations,
  normalizeTrades,
} from "tardis-dev";
import type { Counted } from "./ours.ts";

/**
 * tardis-dev's normalizers as its own replay/stream pipeline runs them: each frame JSON-decoded
 * once, then offered to every mapper of the exchange (trades, book changes, book tickers, and for
 * derivatives derivative tickers and liquidations); every mapper that canHandle() it maps it.
 */

// biome-ignore lint/suspicious/noExplicitAny: tardis-dev types mappers per exchange literal
type AnyMapper = Mapper<any, any>;
// biome-ignore lint/suspicious/noExplicitAny: the factories are generic over the exchange literal
type Factory = (exchange: any, localTimestamp: Date) => AnyMapper;

const FACTORIES: Factory[] = [
  normalizeTrades,
  normalizeBookChanges,
  normalizeBookTickers,
  normalizeDerivativeTickers,
  normalizeLiquidations,
];

/** The factories that know `exchange` (each throws for an exchange it does not cover). */
function mappersFor(exchange: string, at: Date): AnyMapper[] {
  const out: AnyMapper[] = [];
  for (const f of FACTORIES) {
    try {
      out.push(f(exchange, at));
    } catch {
      // this normalizer does not exist for the exchange (e.g. derivative tickers on spot)
    }
  }
  if (out.length === 0) throw new Error(`tardis-dev has no normalizers for ${exchange}`);
  return out;
}

/**
 * `snapshots` are tardis's own `<symbol>@depthSnapshot` messages (the REST snapshot it records next
 * to Binance diffs), mapped untimed before each pass so that diffs are mapped, not buffered.
 */
export function tardisPass(
  exchange: string,
  frames: readonly string[],
  snapshots: ReadonlyArray<{ symbol: string; body: string }> = [],
): Counted & { mapperCount: number } {
  const at = new Date();
  let mappers: AnyMapper[] = mappersFor(exchange, at);
  let messages = 0;
  let failed = 0;
  const feed = (msg: unknown): number => {
    let n = 0;
    for (const m of mappers) {
      if (!m.canHandle(msg)) continue;
      const it = m.map(msg, at);
      if (it) for (const _ of it) n++;
    }
    return n;
  };
  return {
    mapperCount: mappers.length,
    get messages() {
      return messages;
    },
    get failed() {
      return failed;
    },
    setup() {
      mappers = mappersFor(exchange, at);
      for (const s of snapshots) {
        feed({
          stream: `${s.symbol.toLowerCase()}@depthSnapshot`,
          generated: true,
          data: JSON.parse(s.body),
        });
      }
    },
    run() {
      messages = 0;
      failed = 0;
      for (let i = 0; i < frames.length; i++) {
        try {
          messages += feed(JSON.parse(frames[i]!));
        } catch {
          failed++;
        }
      }
      return frames.length;
    },
  };
}
