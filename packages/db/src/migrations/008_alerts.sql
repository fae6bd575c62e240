-- Alert rules, their firings and webhook deliveries (issue 8). Rules are soft-deleted so that
-- every firing stays on record. The analyzer evaluates `armed` rules and disarms one in the same
-- transaction that stores its firing, so a rule fires once per crossing even across a fail-over.
create table if not exists alert_rules (
  id             uuid primary key default gen_random_uuid(),
  exchange       text not null,
  market         text not null,
  kind           text not null check (kind in ('price_above', 'price_below', 'change_pct', 'spread_above', 'volume_spike', 'stale')),
  threshold      double precision,
  window_spec    text,
  cooldown_s     integer not null default 60 check (cooldown_s >= 0),
  webhook_url    text,
  armed          boolean not null default true,
  created_at     timestamptz not null default now(),
  last_fired_at  timestamptz,
  deleted_at     timestamptz
);
create index if not exists alert_rules_live on alert_rules (exchange, market) where deleted_at is null;

-- Webhook signing keys, apart from the rules so the read-only analyst role cannot read them.
create table if not exists alert_webhook_secrets (
  alert_id  uuid primary key references alert_rules (id) on delete cascade,
  secret    text not null
);
revoke all on alert_webhook_secrets from analyst;

create table if not exists alert_firings (
  id          uuid primary key,
  alert_id    uuid not null references alert_rules (id),
  exchange    text not null,
  market      text not null,
  kind        text not null,
  threshold   double precision,
  value       double precision,
  detail      text not null,
  ts          timestamptz not null,
  payload     jsonb not null,
  -- false until the firing is on an.alert.<ex>.<mkt> (an outbox: a fail-over publishes the rest)
  published   boolean not null default false,
  created_at  timestamptz not null default now()
);
create index if not exists alert_firings_alert on alert_firings (alert_id, ts desc);
create index if not exists alert_firings_unpublished on alert_firings (created_at) where not published;

create table if not exists alert_deliveries (
  id               uuid primary key default gen_random_uuid(),
  firing_id        uuid not null references alert_firings (id),
  alert_id         uuid not null references alert_rules (id),
  url              text not null,
  status           text not null default 'pending' check (status in ('pending', 'delivered', 'dead')),
  attempts         integer not null default 0,
  next_attempt_at  timestamptz,
  last_status      integer,
  last_error       text,
  created_at       timestamptz not null default now(),
  delivered_at     timestamptz,
  unique (firing_id, url)
);
create index if not exists alert_deliveries_due on alert_deliveries (next_attempt_at) where status = 'pending';
create index if not exists alert_deliveries_alert on alert_deliveries (alert_id, created_at desc);

create table if not exists alert_delivery_attempts (
  delivery_id  uuid not null references alert_deliveries (id),
  attempt      integer not null,
  at           timestamptz not null default now(),
  status       integer,
  error        text,
  ms           double precision not null,
  primary key (delivery_id, attempt)
);
