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
