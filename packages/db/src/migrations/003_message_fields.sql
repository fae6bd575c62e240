-- Fields of the normalized messages that 001 did not keep, so rows read back are whole messages:
-- the exchange's own symbol, a candle's receive time and a status event's affected channels.
alter table trades add column if not exists symbol text;
alter table candles add column if not exists symbol text;
alter table candles add column if not exists recv_time timestamptz;
alter table tickers add column if not exists symbol text;
alter table status_events add column if not exists symbol text;
alter table status_events add column if not exists channels text[];
