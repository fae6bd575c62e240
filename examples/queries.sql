-- Example SQL on TimescaleDB (psql postgres://analyst@127.0.0.1:5433/tickerplant; tables in docs/analysts.md).

-- The last 10 trades of a market.
select time, price, amount, side
from trades
where exchange = 'binance' and market = 'BTC-USDT'
order by time desc
limit 10;

-- One-minute VWAP and volume over the last hour, from trades.
select time_bucket('1 minute', time) as minute,
       sum(price * amount) / nullif(sum(amount), 0) as vwap,
       sum(amount) as volume,
       count(*) as trades
from trades
where exchange = 'binance' and market = 'BTC-USDT' and time > now() - interval '1 hour'
group by minute
order by minute;

-- The same market's price on every exchange in the last minute (cross-exchange spread).
select exchange, last(price, time) as price, max(time) as at
from trades
where market = 'BTC-USDT' and time > now() - interval '1 minute'
group by exchange
order by price;

-- Gaps the ingestors reported (windows of possibly missing data) in the last day.
select time, exchange, market, detail, from_time, to_time
from status_events
where event = 'gap' and time > now() - interval '1 day'
order by time desc;
