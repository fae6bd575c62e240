import {
  connectNats,
  createLogger,
  createMetricsRegistry,
  exitOnStartFailure,
  natsCheck,
  onShutdown,
  startHealthServer,
} from "@tickerplant/runtime";
import { Bridge } from "./bridge.ts";
import { loadBridgeConfig } from "./config.ts";

const config = loadBridgeConfig(process.env);
const service = config.SERVICE_NAME ?? "bridge";
const log = createLogger({ service, level: config.LOG_LEVEL });

async function main(): Promise<void> {
  const registry = createMetricsRegistry(service);
  const nats = await connectNats(config.NATS_URL, service, log);
  const bridge = new Bridge({ config, nats, registry, log });
  const health = startHealthServer({ port: config.HTTP_PORT, registry, checks: [natsCheck(nats)] });
  await bridge.start();
  log.info("bridge started", {
    rabbitmq: config.RABBITMQ_URL !== "" ? config.RABBITMQ_EXCHANGE : "off",
    zeromq: config.ZEROMQ_PUB_ENDPOINT || "off",
    httpPort: health.port,
  });
  onShutdown(log, [() => nats.close(), () => health.stop(), () => bridge.stop()]);
}

main().catch(exitOnStartFailure(log));
