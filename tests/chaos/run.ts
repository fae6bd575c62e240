#!/usr/bin/env bun
/**
 * Chaos runner: kill -9 / restart every service and restart NATS, Redis and PostgreSQL (all
 * throwaway, on free ports) under a steady simulator load, then compare with the ground truth and
 * print a table.
 *
 *   bun tests/chaos/run.ts                      # short profile (the one CI runs), ~3 min
 *   bun tests/chaos/run.ts --profile long       # by hand: 7 exchanges, 5000 trades/s, 3 runs per fault, ~15 min
 *   bun tests/chaos/run.ts --rate 2000 --runs 2 --faults ingestor,nats
 *
 * Writes tests/chaos/results/chaos-<profile>-<date>.json (and the services' logs beside it).
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ALL_FAULTS, type FaultTarget, renderTable, runChaos } from "./lib/chaos.ts";
import { PROFILES } from "./profiles.ts";

const { values: args } = parseArgs({
  options: {
    profile: { type: "string", default: "short" },
    rate: { type: "string" },
    runs: { type: "string" },
    faults: { type: "string" },
    exchanges: { type: "string" },
  },
});
const base = PROFILES[args.profile ?? "short"];
if (!base) throw new Error(`unknown profile ${args.profile}; one of ${Object.keys(PROFILES).join(", ")}`);
const profile = base();
if (args.rate) profile.rate = Number(args.rate);
if (args.runs) profile.runs = Number(args.runs);
if (args.exchanges) profile.exchanges = args.exchanges.split(",");
if (args.faults) {
  const faults = args.faults.split(",") as FaultTarget[];
  for (const f of faults)
    if (!ALL_FAULTS.includes(f)) throw new Error(`unknown fault ${f}; one of ${ALL_FAULTS.join(", ")}`);
  profile.faults = faults;
}
const result = await runChaos(profile, (m) => console.log(`${new Date().toISOString().slice(11, 19)} ${m}`));
writeFileSync(`${profile.logDir}.json`, JSON.stringify(result, null, 2));
console.log(`\n${renderTable(result)}\n\nlogs: ${profile.logDir}`);
process.exit(0);
