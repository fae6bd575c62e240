#!/usr/bin/env bun
/**
 * nats-server versions side by side (docs/benchmarks.md, "NATS server"; issue 11 item 5).
 *
 *   bun bench/nats-server.ts                       # 3 rounds per binary, ~1 min
 *   bun bench/nats-server.ts --rounds 5 --messages 50000
 *   bun bench/nats-server.ts --binary /usr/sbin/nats-server --binary /path/to/nats-server-2.10
 *
 * Default binaries: the host's (/usr/sbin/nats-server, 2.9 on Debian 12) and Debian 13's 2.10 in
 * the project's trixie root (`bash infra/stack.sh nats-newer` installs it). Each round starts a
 * fresh server per binary (own port and store) and runs the pipeline bench's NATS baseline on it
 * (bench/lib/baseline-nats.ts: acknowledged JetStream publishes with a message id, the runtime's
 * JetStreamPublisher, core publish); rounds alternate the binaries so that load from elsewhere on
 * the shared machine falls on both alike. Reported: median rate per binary, the ratio newer ÷
 * older, and the server's own CPU per message (from /proc), which hardly depends on that load.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startNatsServer } from "../packages/testkit/src/nats-server.ts";
import { natsBaseline } from "./lib/baseline-nats.ts";
import { CpuMeter, findPid, singlePid } from "./lib/cpu.ts";
import { buildTradeFixtures } from "./lib/trade-fixtures.ts";

const { values } = parseArgs({
  options: {
    binary: { type: "string", multiple: true },
    rounds: { type: "string", default: "3" },
    messages: { type: "string", default: "30000" },
  },
});

const stateDir = process.env.TICKERPLANT_STATE_DIR ?? join(homedir(), ".tickerplant");
const binaries = values.binary ?? [
  "/usr/sbin/nats-server",
  join(stateDir, "trixie-root/usr/sbin/nats-server"),
];
for (const b of binaries)
  if (!existsSync(b))
    throw new Error(`${b} not found (the newer one: bash infra/stack.sh nats-newer, or pass --binary)`);
const rounds = Number(values.rounds);
const messages = Number(values.messages);

function versionOf(binary: string): string {
  const out = Bun.spawnSync([binary, "--version"]).stdout.toString().trim();
  return out.replace(/^nats-server:\s*/, "") || binary;
}

const KINDS = ["jetstream", "runtimePublisher", "core"] as const;
type Kind = (typeof KINDS)[number];
interface Sample {
  rate: number;
  /** nats-server CPU µs per message while it ran. */
  serverUs: number;
  otherPct: number;
}

const fixtures = buildTradeFixtures(["BTC-USDT", "ETH-USDT", "SOL-USDT", "XRP-USDT"], messages);
const samples = new Map<string, Record<Kind, Sample[]>>(
  binaries.map((b) => [b, { jetstream: [], runtimePublisher: [], core: [] }]),
);

for (let round = 0; round < rounds; round++) {
  // Alternate the order too: the first server of a round must not always be the warmer one.
  const order = round % 2 === 0 ? binaries : [...binaries].reverse();
  for (const binary of order) {
    const server = await startNatsServer({ binary });
    try {
      const pid = findPid([`-c ${server.configFile}`]);
      if (pid === undefined) throw new Error(`no nats-server process for ${server.configFile}`);
      const cpu = new CpuMeter([singlePid("nats-server", pid)]);
      const r = await natsBaseline({
        url: server.url,
        run: `NSV${round}`,
        fixtures,
        jetstreamMessages: messages,
        coreMessages: messages * 4,
        window: 4096,
        cpu,
      });
      for (const kind of KINDS) {
        const m = r[kind];
        const serverPct = m.cpu?.["nats-server"] ?? 0;
        samples.get(binary)![kind].push({
          rate: m.perSecond,
          serverUs: ((serverPct / 100) * m.seconds * 1e6) / m.count,
          otherPct: m.cpu?.other ?? 0,
        });
      }
      console.error(
        `round ${round + 1}/${rounds} ${versionOf(binary)}: JetStream ${Math.round(r.jetstream.perSecond)}/s, core ${Math.round(r.core.perSecond)}/s`,
      );
    } finally {
      server.stop();
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const [older, newer] = binaries as [string, string];
const label: Record<Kind, string> = {
  jetstream: "JetStream `js.publish` + msgID, 4,096 in flight",
  runtimePublisher: "runtime JetStreamPublisher",
  core: "core publish (no stream)",
};
const lines = [
  `| baseline (median of ${rounds}) | ${versionOf(older)} msgs/s | ${versionOf(newer)} msgs/s | ratio | server µs/msg (${versionOf(older)} → ${versionOf(newer)}) | other load % |`,
  "| --- | ---: | ---: | ---: | ---: | ---: |",
];
const result: Record<string, unknown> = { at: new Date().toISOString(), rounds, messages, binaries: {} };
for (const kind of KINDS) {
  const a = samples.get(older)![kind];
  const b = samples.get(newer)![kind];
  const ra = median(a.map((s) => s.rate));
  const rb = median(b.map((s) => s.rate));
  const ua = median(a.map((s) => s.serverUs));
  const ub = median(b.map((s) => s.serverUs));
  const other = median([...a, ...b].map((s) => s.otherPct));
  lines.push(
    `| ${label[kind]} | ${Math.round(ra).toLocaleString("en")} | ${Math.round(rb).toLocaleString("en")} | ${(rb / ra).toFixed(2)} | ${ua.toFixed(1)} → ${ub.toFixed(1)} | ${Math.round(other)} |`,
  );
}
for (const b of binaries)
  (result.binaries as Record<string, unknown>)[versionOf(b)] = { path: b, samples: samples.get(b) };
const dir = resolve(import.meta.dir, "results");
mkdirSync(dir, { recursive: true });
const file = join(dir, `nats-server-${new Date().toISOString().replaceAll(":", "-").slice(0, 19)}.json`);
writeFileSync(file, JSON.stringify(result, null, 2));
console.log(lines.join("\n"));
console.log(`\n(${file})`);
process.exit(0);
