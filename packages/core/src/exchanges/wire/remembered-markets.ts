/**
 * An adapter's `marketOfSymbol` is a pure mapping asked for every frame (string work, regexes):
 * remember its answers. Bounded: a feed of ever-new symbols empties the memory and starts over.
 */
export function rememberMarkets(
  marketOf: (symbol: string) => string | undefined,
  max = 10_000,
): (symbol: string) => string | undefined {
  const known = new Map<string, string | null>();
  return (symbol) => {
    const hit = known.get(symbol);
    if (hit !== undefined) return hit ?? undefined;
    const market = marketOf(symbol);
    if (known.size >= max) known.clear();
    known.set(symbol, market ?? null);
    return market;
  };
}
