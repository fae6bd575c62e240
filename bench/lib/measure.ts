import type { CpuMeter } from "./cpu.ts";
import { nowMs, perSecond } from "./stats.ts";

/** One timed baseline measurement: how many items, how fast, and who burnt the CPU meanwhile. */
export interface Measured {
  count: number;
  seconds: number;
  perSecond: number;
  /** % of one core per process group while it ran (see cpu.ts). */
  cpu?: Record<string, number>;
  /** The busiest processes outside the groups meanwhile (other people's work on a shared machine). */
  others?: string[];
}

export async function measure(
  count: number,
  cpu: CpuMeter | undefined,
  run: () => Promise<void> | void,
): Promise<Measured> {
  const a = cpu?.sample();
  const t0 = nowMs();
  await run();
  const t1 = nowMs();
  const b = cpu?.sample();
  const out: Measured = { count, seconds: (t1 - t0) / 1000, perSecond: perSecond(count, t0, t1) };
  if (cpu && a && b) {
    out.cpu = cpu.usage(a, b);
    out.others = cpu.others(a, b);
  }
  return out;
}
