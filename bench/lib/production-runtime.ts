/**
 * How infra/up.sh, the image (infra/Dockerfile) and the manifests run each service: bun flags and
 * the allocator setting (docs/benchmarks.md, "Allocator"). Benchmarks start services the same way.
 */
export type BenchService = "ingestor" | "storage-writer" | "gateway";

const RUNTIME: Record<BenchService, { bunOptions: string; env: Record<string, string> }> = {
  // For its memory target (docs/benchmarks.md, "Allocator"): freed pages go back after 10 ms but
  // holes in used pages stay (nearly the CPU of never purging), and the JavaScript heap grows to at
  // most 2× what survived the last collection (bun's own value, 2, allows 3×): peak RSS ~145 →
  // ~120 MB in bench/memory.ts at the same CPU.
  ingestor: {
    bunOptions: "--smol",
    env: { MIMALLOC_PURGE_DELAY: "10", MIMALLOC_PURGE_HOLES: "0", BUN_JSC_heapGrowthMaxIncrease: "1" },
  },
  "storage-writer": { bunOptions: "", env: { MIMALLOC_PURGE_DELAY: "-1" } },
  gateway: { bunOptions: "", env: { MIMALLOC_PURGE_DELAY: "-1" } },
};

/** The service's production environment, with extra bun flags (a profile, say) appended. */
export function productionRuntimeEnv(service: BenchService, extraBunOptions = ""): Record<string, string> {
  const runtime = RUNTIME[service];
  const bunOptions = `${runtime.bunOptions} ${extraBunOptions}`.trim();
  return { ...runtime.env, ...(bunOptions ? { BUN_OPTIONS: bunOptions } : {}) };
}
