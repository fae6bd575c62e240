import { ALERTS_USAGE, alerts } from "./commands/alerts.ts";
import { BACKFILL_USAGE, backfill } from "./commands/backfill.ts";
import { JOBS_USAGE, jobs } from "./commands/jobs.ts";
import { MONITOR_USAGE, monitor } from "./commands/monitor.ts";
import { PORTFOLIO_USAGE, portfolio } from "./commands/portfolio.ts";
import { TEST_USAGE, testSources } from "./commands/reachability.ts";
import { STATUS_USAGE, status } from "./commands/status.ts";
import type { CommandIo } from "./commands/types.ts";
import { COMMON_USAGE } from "./context.ts";
import { describeFailure } from "./exit-codes.ts";

/** Commands that talk to a running platform through its gateway. */
const COMMANDS: Record<string, (args: string[], io: CommandIo) => Promise<number>> = {
  monitor,
  status,
  alerts,
  portfolio,
  test: testSources,
  backfill,
  jobs,
};

export const GATEWAY_USAGE = `${[
  MONITOR_USAGE,
  STATUS_USAGE,
  ALERTS_USAGE,
  PORTFOLIO_USAGE,
  TEST_USAGE,
  BACKFILL_USAGE,
  JOBS_USAGE,
]
  .map((u) => `  ${u}`)
  .join("\n")}
${COMMON_USAGE}
exit codes: 0 ok, 1 a check found a problem, 2 bad arguments, 3 gateway unreachable, 4 gateway refused the request`;

export function isGatewayCommand(name: string | undefined): boolean {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

/** Runs one gateway command; every failure becomes a message on stderr and an exit code. */
export async function runGatewayCommand(name: string, args: string[], io: CommandIo): Promise<number> {
  try {
    return await COMMANDS[name]!(args, io);
  } catch (err) {
    const { message, code } = describeFailure(err);
    io.err.write(`tickerplant ${name}: ${message}\n`);
    return code;
  }
}
