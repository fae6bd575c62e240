/**
 * Loaded before every test file (bunfig.toml): the tests get infrastructure of their own, so a
 * platform running on the same machine never sees their messages, rows or keys.
 *
 * - NATS: a throwaway nats-server (JetStream, temp store, free port) started here and stopped when
 *   the run exits, unless TICKERPLANT_TEST_NATS_URL names one to use instead.
 * - Redis: TEST_REDIS_URL, else database 15 of REDIS_URL's server.
 * - PostgreSQL: TEST_DATABASE_URL, else database `tickerplant_test` of DATABASE_URL's server.
 *
 * NATS_URL, REDIS_URL and DATABASE_URL are overwritten with the test values, so no test (or service
 * a test spawns with this environment) can reach the platform's own stores.
 */
import { afterAll } from "bun:test";
import { startNatsServer } from "@tickerplant/testkit";

const env = process.env;

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

const redisUrl = env.TEST_REDIS_URL || withDb(env.REDIS_URL || "redis://127.0.0.1:6379", "15");
const databaseUrl =
  env.TEST_DATABASE_URL ||
  withDb(env.DATABASE_URL || "postgres://tickerplant@127.0.0.1:5433/tickerplant", "tickerplant_test");
env.REDIS_URL = redisUrl;
env.TEST_REDIS_URL = redisUrl;
env.TEST_DATABASE_URL = databaseUrl;
env.DATABASE_URL = databaseUrl;
if (!env.TICKERPLANT_TEST_NATS_URL) {
  const nats = await startNatsServer();
  afterAll(nats.stop);
  env.TICKERPLANT_TEST_NATS_URL = nats.url;
}
env.NATS_URL = env.TICKERPLANT_TEST_NATS_URL;
