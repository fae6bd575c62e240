-- Sampled top-N order book snapshots (the full book stream lives in JetStream MD_BOOKS).
-- `time` is the sample slot (epoch-aligned), so every writer instance writes the same row once.
create table if not exists book_snapshots (
  time       timestamptz not null,
  exchange   text not null,
  market     text not null,
  seq        bigint not null,
  book_time  timestamptz not null,
  depth      integer not null,
  bids       jsonb not null,
  asks       jsonb not null,
  simulated  boolean not null default false,
  unique (exchange, market, time)
);
select create_hypertable('book_snapshots', 'time', chunk_time_interval => interval '1 day', if_not_exists => true);
grant select on book_snapshots to analyst;
