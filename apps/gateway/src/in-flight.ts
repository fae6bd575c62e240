/**
 * Concurrent requests for the same read share one run of it (singleflight): dashboards polling a
 * market ask the same question at the same moments, and each answer of /candles is a query of up
 * to 1,000 rows and a body of up to ~400 KB (bench/rest.ts). Nothing is kept once a run settles:
 * a request joins only a read already in flight when it arrives, so its answer is at most that
 * read's own duration older than the request, as if the request had come a moment earlier.
 */
export class InFlight<T> {
  private readonly runs = new Map<string, Promise<T>>();

  /** The in-flight run for `key`, or a new run of `read` that later same-key calls share until it settles. */
  share(key: string, read: () => Promise<T>): Promise<T> {
    const running = this.runs.get(key);
    if (running) return running;
    const run = read().finally(() => this.runs.delete(key));
    this.runs.set(key, run);
    return run;
  }
}
