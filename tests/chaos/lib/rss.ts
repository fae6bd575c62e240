import { readdirSync, readFileSync } from "node:fs";

/** Resident memory of processes from /proc, in MiB. */

function statusField(pid: number, field: string): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function rssMiB(pid: number): number | undefined {
  return statusField(pid, "VmRSS");
}

function children(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

/**
 * Private memory of a process tree (RssAnon summed; shared buffers would be counted once per
 * backend in VmRSS) — for PostgreSQL's postmaster and its backends.
 */
export function treeAnonMiB(root: number): number | undefined {
  const own = statusField(root, "RssAnon");
  if (own === undefined) return undefined;
  return children(root).reduce((n, c) => n + (statusField(c, "RssAnon") ?? 0), own);
}
