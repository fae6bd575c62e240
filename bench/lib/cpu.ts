import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time per process group from /proc (Linux): which process saturates during a step.
 * A group is a set of pids (a service, the PostgreSQL server with its backends, nats-server).
 * Results are in % of one core (200 % = both cores of this machine).
 */

const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux x86-64

export interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime in clock ticks. */
  ticks: number;
}

function readStat(pid: number): ProcInfo | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm may contain spaces and parentheses: the fields after the last ')' are fixed.
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    const rest = text.slice(close + 2).split(" ");
    // rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { pid, ppid: Number(rest[1]), comm, ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return undefined; // the process exited
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

export function allProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const info = readStat(pid);
    if (info) out.push(info);
  }
  return out;
}

/** A named group of processes, resolved afresh at every sample (PostgreSQL backends come and go). */
export interface ProcessGroup {
  name: string;
  pids(all: ProcInfo[]): number[];
}

export function singlePid(name: string, pid: number): ProcessGroup {
  return { name, pids: () => [pid] };
}

/** A process and all its descendants. */
export function processTree(name: string, rootPid: number): ProcessGroup {
  return {
    name,
    pids: (all) => {
      const children = new Map<number, number[]>();
      for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
      const out: number[] = [];
      const stack = [rootPid];
      while (stack.length > 0) {
        const pid = stack.pop()!;
        out.push(pid);
        stack.push(...(children.get(pid) ?? []));
      }
      return out;
    },
  };
}

/** The first process whose command line contains all of `needles` (e.g. a service's main.ts). */
const SHELLS = new Set(["sh", "bash", "dash"]);

export function findPid(needles: string[], parent?: number): number | undefined {
  for (const p of allProcesses()) {
    if (parent !== undefined && p.ppid !== parent) continue;
    // A shell that starts or watches the process names it in its command line too (testkit's
    // nats-server watchdog does): it is not the process.
    if (SHELLS.has(p.comm)) continue;
    const cmd = cmdline(p.pid);
    if (needles.every((n) => cmd.includes(n))) return p.pid;
  }
  return undefined;
}

/** Busy and total jiffies of the whole machine (all cores) from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0); // user..steal (guest is inside user)
  const idle = (v[3] ?? 0) + (v[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

export interface CpuSample {
  at: number;
  perPid: Map<number, number>;
  groups: Map<string, number[]>;
  machine: { busy: number; total: number };
}

export class CpuMeter {
  constructor(private readonly groups: ProcessGroup[]) {}

  sample(): CpuSample {
    const all = allProcesses();
    const perPid = new Map(all.map((p) => [p.pid, p.ticks]));
    const groups = new Map(this.groups.map((g) => [g.name, g.pids(all)]));
    return { at: performance.now(), perPid, groups, machine: machineTicks() };
  }

  /**
   * % of one core per group between two samples, plus the machine's busy % (of all cores, as
   * cores × 100) and "other": what processes outside the groups used (other engineers' work).
   */
  usage(a: CpuSample, b: CpuSample): Record<string, number> {
    const seconds = (b.at - a.at) / 1000;
    const out: Record<string, number> = {};
    let known = 0;
    for (const [name, cpuSeconds] of Object.entries(this.cpuSeconds(a, b))) {
      known += cpuSeconds;
      out[name] = Math.round((cpuSeconds / seconds) * 100);
    }
    const cores = navigator.hardwareConcurrency || 1;
    const dm = b.machine.total - a.machine.total;
    const busy = dm > 0 ? (b.machine.busy - a.machine.busy) / dm : 0;
    out.machine = Math.round(busy * cores * 100);
    out.other = Math.max(0, out.machine - Math.round((known / seconds) * 100));
    return out;
  }

  /** CPU seconds each group used between two samples (independent of how busy the machine was). */
  cpuSeconds(a: CpuSample, b: CpuSample): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, pids] of b.groups) {
      let ticks = 0;
      for (const pid of pids) {
        const end = b.perPid.get(pid);
        if (end === undefined) continue;
        // A pid absent from the first sample started inside the window: all its time counts.
        ticks += end - (a.perPid.get(pid) ?? 0);
      }
      out[name] = ticks / CLK_TCK;
    }
    return out;
  }

  /** The busiest processes outside the groups (who else shares the machine), "name pid: %". */
  others(a: CpuSample, b: CpuSample, n = 3): string[] {
    const seconds = (b.at - a.at) / 1000;
    const mine = new Set([...b.groups.values()].flat());
    const busy: Array<[number, number]> = [];
    for (const [pid, end] of b.perPid) {
      if (mine.has(pid)) continue;
      const pct = ((end - (a.perPid.get(pid) ?? 0)) / CLK_TCK / seconds) * 100;
      if (pct >= 5) busy.push([pid, pct]);
    }
    busy.sort((x, y) => y[1] - x[1]);
    return busy
      .slice(0, n)
      .map(([pid, pct]) => `${cmdline(pid).slice(0, 60).trim() || pid} (${pid}): ${Math.round(pct)}%`);
  }
}
