/**
 * Proves the test suite leaves a platform running on the same machine alone.
 *
 *   bun tests/isolation/platform-guard.ts snapshot <file>   # before the suite
 *   bun tests/isolation/platform-guard.ts check <file>      # after it; exit 1 on a leak
 *
 * It reads the platform's own stores (NATS_URL, REDIS_URL, DATABASE_URL as `infra/stack.sh env`
 * prints them) and collects every market identity (`exchange/market`) they hold: JetStream
 * subjects `md.<type>.<exchange>.<market>…`, Redis keys `<kind>:<exchange>:<market>…`, and the
 * (exchange, market) pairs of every table that has those columns — plus the durable consumers of
 * every stream. Tests use unique exchange ids and market names, so anything of theirs that reached
 * the platform shows up as a new identity or a new consumer. Unreachable stores count as empty.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import Redis from "ioredis";
import postgres from "postgres";

interface Snapshot {
  identities: string[];
  consumers: string[];
  reached: string[];
}

const [mode, file] = process.argv.slice(2);
if ((mode !== "snapshot" && mode !== "check") || !file) {
  console.error("usage: platform-guard.ts snapshot|check <file>");
  process.exit(2);
}

const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const databaseUrl = process.env.DATABASE_URL ?? "postgres://tickerplant@127.0.0.1:5433/tickerplant";

async function natsState(ids: Set<string>, consumers: Set<string>): Promise<boolean> {
  let nc: Awaited<ReturnType<typeof connect>>;
  try {
    nc = await connect({ servers: natsUrl, timeout: 3000, reconnect: false });
  } catch {
    return false;
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout: 10_000 });
    for await (const stream of jsm.streams.list()) {
      const name = stream.config.name;
      const info = await jsm.streams.info(name, { subjects_filter: ">" });
      for (const subject of Object.keys(info.state.subjects ?? {})) {
        const t = subject.split(".");
        if (t[0] === "md" && t.length >= 4) ids.add(`${t[2]}/${t[3]}`);
        else if (t.length >= 4) ids.add(`${t[2]}/${t[3]}`);
      }
      for await (const c of jsm.consumers.list(name)) {
        if (c.config.durable_name) consumers.add(`${name}/${c.config.durable_name}`);
      }
    }
    return true;
  } catch {
    return false; // no JetStream on this account: nothing of ours can be there either
  } finally {
    await nc.close();
  }
}

async function redisState(ids: Set<string>): Promise<boolean> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "COUNT", 1000);
      cursor = next;
      for (const key of keys) {
        const t = key.split(":");
        if (t.length >= 3) ids.add(`${t[1]}/${t[2]}`);
        else if (t.length === 2) ids.add(`${t[1]}/`);
      }
    } while (cursor !== "0");
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

async function sqlState(ids: Set<string>): Promise<boolean> {
  const sql = postgres(databaseUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    const tables = await sql<{ table_name: string; indexed: boolean }[]>`
      select c.table_name,
             exists (select 1 from pg_indexes i
                     where i.schemaname = 'public' and i.tablename = c.table_name
                       and i.indexdef ~ '\\(exchange, market') as indexed
        from information_schema.columns c
        join information_schema.tables t
          on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
       where c.table_schema = 'public' and c.column_name in ('exchange', 'market')
       group by c.table_name having count(*) = 2`;
    for (const { table_name, indexed } of tables) {
      const t = sql(table_name);
      // A loose index scan: one index probe per market instead of reading a large hypertable.
      const rows = indexed
        ? await sql<{ exchange: string; market: string }[]>`
            with recursive m as (
              (select exchange, market from ${t} order by exchange, market limit 1)
              union all
              select n.exchange, n.market from m, lateral (
                select exchange, market from ${t} where (exchange, market) > (m.exchange, m.market)
                order by exchange, market limit 1) n)
            select exchange, market from m`
        : await sql<{ exchange: string; market: string }[]>`select distinct exchange, market from ${t}`;
      for (const r of rows) ids.add(`${r.exchange}/${r.market}`);
    }
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function snapshot(): Promise<Snapshot> {
  const ids = new Set<string>();
  const consumers = new Set<string>();
  const reached: string[] = [];
  if (await natsState(ids, consumers)) reached.push(`NATS ${natsUrl}`);
  if (await redisState(ids)) reached.push(`Redis ${redisUrl.replace(/\/\/[^@]*@/, "//")}`);
  if (await sqlState(ids)) reached.push(`PostgreSQL ${databaseUrl.replace(/\/\/[^@]*@/, "//")}`);
  return { identities: [...ids].sort(), consumers: [...consumers].sort(), reached };
}

const now = await snapshot();
if (mode === "snapshot") {
  await Bun.write(file, JSON.stringify(now));
  process.exit(0);
}
const before = (await Bun.file(file).json()) as Snapshot;
const known = new Set(before.identities);
const knownConsumers = new Set(before.consumers);
const leakedIds = now.identities.filter((id) => !known.has(id));
const leakedConsumers = now.consumers.filter((c) => !knownConsumers.has(c));
if (leakedIds.length === 0 && leakedConsumers.length === 0) {
  console.log(
    `isolation: the platform's stores gained nothing from the tests (${now.identities.length} market identities, ${now.consumers.length} consumers in ${now.reached.join(", ") || "no reachable store"})`,
  );
  process.exit(0);
}
console.log("isolation: FAILED — the tests reached the platform's stores:");
for (const id of leakedIds.slice(0, 50)) console.log(`  new market identity ${id}`);
for (const c of leakedConsumers.slice(0, 50)) console.log(`  new durable consumer ${c}`);
process.exit(1);
