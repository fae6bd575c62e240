-- Portfolios (issue 8): holdings per portfolio, valued live with the composite prices.
create table if not exists portfolios (
  id          uuid primary key default gen_random_uuid(),
  name        text not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);

create table if not exists portfolio_holdings (
  portfolio_id  uuid not null references portfolios (id) on delete cascade,
  asset         text not null,
  quantity      double precision not null check (quantity >= 0),
  cost_basis    double precision check (cost_basis >= 0),
  primary key (portfolio_id, asset)
);
