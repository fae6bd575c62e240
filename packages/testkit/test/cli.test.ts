import { expect, test } from "bun:test";
import { join } from "node:path";

const BIN = join(import.meta.dir, "../src/bin/simulator.ts");

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return text.split("\n")[0]!;
}

test("CLI prints its URLs as one JSON line and stops on SIGTERM", async () => {
  const proc = Bun.spawn(["bun", BIN, "--port", "0", "--markets", "BTC-USDT,ETH-USDT"], {
    env: { ...process.env, SIMULATOR_SEED: "5", SIMULATOR_TRADES_PER_SECOND: "100" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 2500);
  try {
    const line = JSON.parse(await firstLine(proc.stdout)) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: "info",
      msg: "simulator started",
      simulated: true,
      seed: 5,
      exchange: "binance",
    });
    expect(line.markets).toEqual(["BTC-USDT", "ETH-USDT"]);
    const url = line.url as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(line.wsUrl).toBe(url.replace("http", "ws"));
    const r = await fetch(`${url}/api/v3/ping`);
    expect(r.status).toBe(200);
    expect(r.headers.get("X-Tickerplant-Simulated")).toBe("1");
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  } finally {
    clearTimeout(timer);
  }
});
