#!/usr/bin/env bun
/**
 * Exchange faults per exchange (issue 10 item 3): every simulator profile, every fault; prints a table.
 *
 *   bun tests/chaos/exchange-faults.ts                         # all seven exchanges, ~6 min
 *   bun tests/chaos/exchange-faults.ts --exchanges binance,okx
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { EXCHANGE_FAULTS, renderFaultTable, runExchangeFaults } from "./lib/exchange-faults.ts";

const { values: args } = parseArgs({ options: { exchanges: { type: "string" } } });
const exchanges = (args.exchanges ?? "binance,bybit,okx,coinbase,kraken,whitebit,bingx").split(",");
const dir = join(
  import.meta.dir,
  "results",
  `exchange-faults-${new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19)}`,
);
mkdirSync(dir, { recursive: true });
const rows = await runExchangeFaults(exchanges, EXCHANGE_FAULTS, dir, (m) =>
  console.log(`${new Date().toISOString().slice(11, 19)} ${m}`),
);
writeFileSync(`${dir}.json`, JSON.stringify(rows, null, 2));
console.log(`\n${renderFaultTable(rows)}\n\nlogs: ${dir}`);
process.exit(0);
