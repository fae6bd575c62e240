import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { resolve } from "node:path";

/** What the numbers were measured on, including how busy the shared cores already were. */
export function machine(): Record<string, string | number> {
  return {
    cpu: cpus()[0]?.model ?? "?",
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    bun: Bun.version,
    loadavg1m: Number(loadavg()[0]!.toFixed(2)),
  };
}

/** Installed version of a devDependency (the peers). */
export function packageVersion(name: string): string {
  const path = resolve(import.meta.dir, "../../../node_modules", name, "package.json");
  return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
}

/** Writes bench/results/<name>-<timestamp>.json and returns its path. */
export function writeResult(name: string, data: unknown): string {
  const dir = resolve(import.meta.dir, "../../results");
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
  const path = resolve(dir, `${name}-${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}

/** 1234567 → "1.23 M", 12345 → "12.3 k". */
export function si(n: number): string {
  if (!Number.isFinite(n)) return "–";
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 1 : 2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)} k`;
  return n.toFixed(0);
}
