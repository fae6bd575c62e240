-- Scheduler jobs (backfills, gap heals): what was asked, how far it got (the checkpoint written in
-- the same transaction as each page's rows) and how it ended. Executed from the JOBS work queue.
create table if not exists jobs (
  id            text primary key,
  kind          text not null,
  state         text not null default 'queued',
  priority      text not null,
  exchange      text not null,
  market        text not null,
  interval      text,
  from_time     timestamptz not null,
  to_time       timestamptz not null,
  checkpoint    jsonb not null default '{}'::jsonb,
  pages_done    integer not null default 0,
  pages_total   integer not null default 0,
  rows_written  bigint not null default 0,
  weight_used   bigint not null default 0,
  errors        text[] not null default '{}',
  outcome       text,
  detail        text,
  -- A gap heal's source event (exchange/market/from/to): one heal per gap however often it is seen.
  gap_key       text unique,
  owner         text,
  created_at    timestamptz not null default now(),
  started_at    timestamptz,
  finished_at   timestamptz,
  updated_at    timestamptz not null default now()
);
create index if not exists jobs_state_created on jobs (state, created_at desc);
create index if not exists jobs_created on jobs (created_at desc);
