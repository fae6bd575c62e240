// Three local nats-servers as one JetStream cluster until SIGTERM/SIGINT; prints the NATS_URL.
//   bun packages/testkit/src/bin/nats-cluster.ts [basePort]   (infra/stack.sh cluster runs it)
import { startNatsCluster } from "../nats-cluster.ts";

const basePort = Number(process.argv[2] ?? 24222);
const cluster = await startNatsCluster({ basePort });
console.log(JSON.stringify({ NATS_URL: cluster.url, nodes: cluster.nodes.map((n) => n.name) }));
const stop = async () => {
  await cluster.stop();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
