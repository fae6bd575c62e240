/** Uniform jitter in [0, 1) from the system CSPRNG (timing only; never market data). */
export function jitter(): number {
  const buf = new Uint32Array(1);
  crypto.getRandomValues(buf);
  return buf[0]! / 2 ** 32;
}

/** Jittered exponential backoff: a random delay in [d/2, d] where d = min(max, base * 2^attempt). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(d / 2 + (jitter() * d) / 2);
}
