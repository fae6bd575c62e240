/**
 * The pipeline bench's own process is the load generator (simulator and WebSocket client), not the
 * system under test: it runs with the allocator keeping freed memory (`MIMALLOC_PURGE_DELAY=-1`,
 * docs/benchmarks.md "Allocator"), which leaves ~40 % more of the shared cores to the services, as
 * a load generator on another machine would. mimalloc reads the setting at start, so the bench
 * re-runs itself with it.
 */
export async function rerunWithLeanAllocator(): Promise<void> {
  if (process.env.MIMALLOC_PURGE_DELAY === "-1") return;
  const child = Bun.spawn([process.execPath, ...process.argv.slice(1)], {
    env: { ...process.env, MIMALLOC_PURGE_DELAY: "-1" },
    stdio: ["inherit", "inherit", "inherit"],
  });
  process.exit(await child.exited);
}
