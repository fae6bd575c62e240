/**
 * Parser state kept per symbol in the connection's state (ParseContext.state): one Map per kind
 * of state under a fixed key, so that a frame's lookup hashes its symbol alone instead of building
 * a `kind:symbol` string for every frame.
 */
export function symbolState<T>(state: Map<string, unknown>, kind: string): Map<string, T> {
  let bySymbol = state.get(kind) as Map<string, T> | undefined;
  if (bySymbol === undefined) {
    bySymbol = new Map();
    state.set(kind, bySymbol);
  }
  return bySymbol;
}
