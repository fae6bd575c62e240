import type { Logger } from "./logger.ts";

/**
 * Graceful stop: on SIGTERM/SIGINT run the stop callbacks in reverse start order (drain work
 * before closing connections), then exit. A second signal or the deadline exits at once.
 */
export function onShutdown(
  log: Logger,
  stops: Array<() => Promise<unknown> | unknown>,
  deadlineMs = 15_000,
): void {
  let stopping = false;
  const handler = async (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info("stopping", { signal });
    const deadline = setTimeout(() => {
      log.error("stop deadline exceeded; exiting", { deadlineMs });
      process.exit(1);
    }, deadlineMs);
    for (const stop of [...stops].reverse()) {
      try {
        await stop();
      } catch (err) {
        log.error("error while stopping", { err });
      }
    }
    clearTimeout(deadline);
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void handler("SIGTERM"));
  process.on("SIGINT", () => void handler("SIGINT"));
}

/** Logs and exits on a failure during start-up, so a supervisor can restart the service. */
export function exitOnStartFailure(log: Logger) {
  return (err: unknown) => {
    log.error("failed to start", { err });
    process.exit(1);
  };
}
