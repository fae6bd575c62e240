-- Market data history. Times are timestamptz (microsecond precision); prices and amounts float8.
-- Unique keys include the time column (a hypertable requirement) so replays change nothing.

create table if not exists markets (
  exchange      text not null,
  market        text not null,
  symbol        text not null,
  base          text not null,
  quote         text not null,
  type          text not null,
  status        text not null,
  tick_size     double precision,
  lot_size      double precision,
  min_notional  double precision,
  simulated     boolean not null default false,
  updated_at    timestamptz not null default now(),
  primary key (exchange, market)
);

create table if not exists trades (
  time       timestamptz not null,
  exchange   text not null,
  market     text not null,
  trade_id   text not null,
  price      double precision not null,
  amount     double precision not null,
  side       text not null,
  recv_time  timestamptz not null,
  simulated  boolean not null default false,
  unique (exchange, market, trade_id, time)
);
select create_hypertable('trades', 'time', chunk_time_interval => interval '1 day', if_not_exists => true);
create index if not exists trades_market_time on trades (exchange, market, time desc);

create table if not exists candles (
  exchange      text not null,
  market        text not null,
  interval      text not null,
  open_time     timestamptz not null,
  close_time    timestamptz not null,
  open          double precision not null,
  high          double precision not null,
  low           double precision not null,
  close         double precision not null,
  volume        double precision not null,
  quote_volume  double precision not null,
  trades        bigint not null,
  closed        boolean not null,
  updated_at    timestamptz not null,
  simulated     boolean not null default false,
  primary key (exchange, market, interval, open_time)
);
select create_hypertable('candles', 'open_time', chunk_time_interval => interval '7 days', if_not_exists => true);

create table if not exists tickers (
  time          timestamptz not null,
  exchange      text not null,
  market        text not null,
  last          double precision not null,
  open          double precision not null,
  high          double precision not null,
  low           double precision not null,
  volume        double precision not null,
  quote_volume  double precision not null,
  change        double precision not null,
  change_pct    double precision not null,
  bid           double precision,
  ask           double precision,
  simulated     boolean not null default false,
  unique (exchange, market, time)
);
select create_hypertable('tickers', 'time', chunk_time_interval => interval '1 day', if_not_exists => true);

create table if not exists status_events (
  time       timestamptz not null,
  exchange   text not null,
  market     text not null,
  event      text not null,
  detail     text not null,
  from_time  timestamptz,
  to_time    timestamptz,
  from_seq   bigint,
  to_seq     bigint,
  simulated  boolean not null default false,
  unique (exchange, market, event, time)
);
select create_hypertable('status_events', 'time', chunk_time_interval => interval '7 days', if_not_exists => true);
