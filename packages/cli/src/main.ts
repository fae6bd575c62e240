#!/usr/bin/env bun
import { parseArgs } from "node:util";
import { book } from "./commands/book.ts";
import { normalize } from "./commands/normalize.ts";
import { readCliEnv } from "./gateway/config.ts";
import { GATEWAY_USAGE, isGatewayCommand, runGatewayCommand } from "./gateway/run.ts";

const USAGE = `usage: tickerplant <command> [options]

commands:
  normalize --exchange <id> [--market-type spot|perp]
      raw exchange frames on stdin (one per line, as received; binary frames as base64)
      → normalized messages as JSON lines on stdout; unknown frames reported on stderr
  book --exchange <id> [--market-type spot|perp] [--depth N] [--market M]
      raw book frames and REST depth snapshots on stdin, in arrival order, through the exchange's
      sync procedure → a status line per break, then each market's final book (top N)

commands on a running platform, through its gateway:
${GATEWAY_USAGE}`;

/** Gateway commands run until done or interrupted; ctrl-c stops them cleanly. */
function runOnGateway(command: string, args: string[]): Promise<number> {
  const stop = new AbortController();
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => stop.abort());
  return runGatewayCommand(command, args, {
    env: readCliEnv(process.env, process.stdout.isTTY === true),
    out: process.stdout,
    err: process.stderr,
    signal: stop.signal,
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (isGatewayCommand(command)) {
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(USAGE);
      return 0;
    }
    return runOnGateway(command!, rest);
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      exchange: { type: "string" },
      "market-type": { type: "string", default: "spot" },
      depth: { type: "string" },
      market: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help || !command || command === "--help" || command === "-h") {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  switch (command) {
    case "normalize":
      return normalize(
        { exchange: values.exchange, marketType: values["market-type"] },
        { input: Bun.stdin.stream(), out: process.stdout, err: process.stderr },
      );
    case "book":
      return book(
        {
          exchange: values.exchange,
          marketType: values["market-type"],
          depth: values.depth,
          market: values.market,
        },
        { input: Bun.stdin.stream(), out: process.stdout, err: process.stderr },
      );
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(Bun.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(2);
  },
);
