/**
 * Polls `cond` every `stepMs` until it holds (true) or `timeoutMs` passes (false). A condition that
 * throws counts as not yet (a server still starting, a query against a store being restarted).
 */
export async function until(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  stepMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      await Promise.resolve()
        .then(cond)
        .catch(() => false)
    )
      return true;
    await Bun.sleep(stepMs);
  }
  return false;
}

export interface WaitForOptions {
  timeoutMs: number;
  /** Pause between polls. */
  stepMs?: number;
  /** Appended to the timeout error (services' recent logs, simulator stats); read only on failure. */
  context?: () => string;
}

/**
 * Polls `fn` every `stepMs` until it returns a value (anything but undefined or false) and returns
 * it. A throw counts as not yet, and the last one is reported if time runs out — with `context()` —
 * as `timed out after <ms> ms waiting for <what>`. `fn` is tried once more at the deadline.
 */
export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs, stepMs = 100, context }: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) break;
    await Bun.sleep(Math.min(stepMs, Math.max(0, deadline - Date.now())));
  }
  const error = last === undefined ? "" : ` (last error: ${last})`;
  const extra = context ? `\n${context()}` : "";
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${error}${extra}`, { cause: last });
}
