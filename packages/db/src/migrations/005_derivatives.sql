-- Derivatives state and liquidations (stream MD_DERIV). `time` is the exchange event time.
-- A deriv message may carry only some values (null = not in this message, e.g. Binance's open
-- interest comes from a REST poll): every value column is nullable, and a row holds what the
-- messages with that exchange time carried.
create table if not exists derivs (
  time               timestamptz not null,
  exchange           text not null,
  market             text not null,
  symbol             text,
  mark_price         double precision,
  index_price        double precision,
  funding_rate       double precision,
  next_funding_time  timestamptz,
  open_interest      double precision,
  recv_time          timestamptz,
  simulated          boolean not null default false,
  unique (exchange, market, time)
);
select create_hypertable('derivs', 'time', chunk_time_interval => interval '1 day', if_not_exists => true);

create table if not exists liquidations (
  time       timestamptz not null,
  exchange   text not null,
  market     text not null,
  symbol     text,
  liq_id     text not null,
  price      double precision not null,
  amount     double precision not null,
  side       text not null,
  recv_time  timestamptz,
  simulated  boolean not null default false,
  unique (exchange, market, liq_id, time)
);
select create_hypertable('liquidations', 'time', chunk_time_interval => interval '7 days', if_not_exists => true);
-- Read by market and time (gateway history); the unique key leads with liq_id.
create index if not exists liquidations_market_time on liquidations (exchange, market, time desc);

grant select on derivs, liquidations to analyst;
