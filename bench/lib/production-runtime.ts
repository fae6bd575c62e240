/**
 * How infra/up.sh, the image (infra/Dockerfile) and the manifests run each service: bun flags and
 * the allocator setting (docs/benchmarks.md, "Allocator"). Benchmarks start services the same way.
 */
export type BenchService = "ingestor" | "storage-writer" | "gateway";

const RUNTIME: Record<BenchService, { bunOptions: string; env: Record<string, string> }> = {
  ingestor: { bunOptions: "--smol", env: { MIMALLOC_PURGE_DELAY: "10" } },
  "storage-writer": { bunOptions: "", env: { MIMALLOC_PURGE_DELAY: "-1" } },
  gateway: { bunOptions: "", env: { MIMALLOC_PURGE_DELAY: "-1" } },
};

/** The service's production environment, with extra bun flags (a profile, say) appended. */
export function productionRuntimeEnv(service: BenchService, extraBunOptions = ""): Record<string, string> {
  const runtime = RUNTIME[service];
  const bunOptions = `${runtime.bunOptions} ${extraBunOptions}`.trim();
  return { ...runtime.env, ...(bunOptions ? { BUN_OPTIONS: bunOptions } : {}) };
}
