-- History for analysts (issue 7).
--
-- 1. Fields an exchange does not send are null, not 0: a candle's quote volume and trade count,
--    a ticker's quote volume. Contract-traded markets keep the exchange's contract amount beside
--    the base amount.
alter table candles alter column quote_volume drop not null;
alter table candles alter column trades drop not null;
alter table tickers alter column quote_volume drop not null;
alter table trades add column if not exists contracts double precision;
alter table liquidations add column if not exists contracts double precision;

-- 2. Candles at 5m, 15m, 1h, 4h, 1d and 1w rolled up from the stored 1m candles, behind the views
--    candles_1m .. candles_1w (same columns on both paths):
--    exchange, market, open_time, open, high, low, close, volume, quote_volume (null when a base
--    candle lacks it), trades (likewise), base_candles (1m candles in the bucket), base_closed
--    (every one of them closed), simulated.
--    With the Timescale license they are continuous aggregates (refreshed by their policies, real
--    time on read); on the Apache build they are views over `candle_rollups`, a table the
--    scheduler refreshes incrementally (packages/db/src/rollups.ts) from the 1m candles written
--    since its last run (`candles.written_at`).
create or replace view candles_1m as
  select exchange, market, open_time, open, high, low, close, volume, quote_volume, trades,
         1 as base_candles, closed as base_closed, simulated
  from candles
  where interval = '1m';

do $$
declare
  iv record;
begin
  if coalesce(current_setting('timescaledb.license', true), '') = 'timescale' then
    for iv in select * from (values
        ('5m', '5 minutes'), ('15m', '15 minutes'), ('1h', '1 hour'), ('4h', '4 hours'),
        ('1d', '1 day'), ('1w', '7 days')) as v(name, width)
    loop
      execute format($v$
        create materialized view if not exists %I
        with (timescaledb.continuous, timescaledb.materialized_only = false) as
        select exchange, market, time_bucket(%L::interval, open_time) as open_time,
               first(open, open_time) as open, max(high) as high, min(low) as low,
               last(close, open_time) as close, sum(volume) as volume,
               case when count(quote_volume) = count(*) then sum(quote_volume) end as quote_volume,
               case when count(trades) = count(*) then sum(trades) end as trades,
               count(*)::int as base_candles, bool_and(closed) as base_closed,
               bool_or(simulated) as simulated
        from candles
        where interval = '1m'
        group by exchange, market, time_bucket(%L::interval, open_time)
        with no data$v$, 'candles_' || iv.name, iv.width, iv.width);
      execute format('grant select on %I to analyst', 'candles_' || iv.name);
    end loop;
  else
    create table if not exists candle_rollups (
      exchange      text not null,
      market        text not null,
      interval      text not null,
      open_time     timestamptz not null,
      open          double precision not null,
      high          double precision not null,
      low           double precision not null,
      close         double precision not null,
      volume        double precision not null,
      quote_volume  double precision,
      trades        bigint,
      base_candles  integer not null,
      base_closed   boolean not null,
      simulated     boolean not null default false,
      refreshed_at  timestamptz not null default now(),
      primary key (exchange, market, interval, open_time)
    );
    perform create_hypertable('candle_rollups', 'open_time',
      chunk_time_interval => interval '30 days', if_not_exists => true);
    -- When a 1m candle was last written: what the incremental refresh reads.
    alter table candles add column if not exists written_at timestamptz not null default now();
    create index if not exists candles_1m_written_at on candles (written_at) where interval = '1m';
    create or replace function candles_touch_written_at() returns trigger language plpgsql as $f$
    begin
      new.written_at := now();
      return new;
    end
    $f$;
    drop trigger if exists candles_written_at on candles;
    create trigger candles_written_at before update on candles
      for each row execute function candles_touch_written_at();
    create table if not exists rollup_state (
      name       text primary key,
      watermark  timestamptz not null
    );
    for iv in select * from (values ('5m'), ('15m'), ('1h'), ('4h'), ('1d'), ('1w')) as v(name)
    loop
      execute format($v$
        create or replace view %I as
        select exchange, market, open_time, open, high, low, close, volume, quote_volume, trades,
               base_candles, base_closed, simulated
        from candle_rollups
        where interval = %L$v$, 'candles_' || iv.name, iv.name);
    end loop;
    grant select on candle_rollups to analyst;
  end if;
end
$$;

grant select on candles_1m, candles_5m, candles_15m, candles_1h, candles_4h, candles_1d, candles_1w to analyst;
