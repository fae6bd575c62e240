-- Read-only role for analysts. Roles are cluster-wide (shared by every database on the server),
-- so it is created only when missing. LOGIN without a password: set one with
-- `alter role analyst password '...'` where the server requires password authentication.
do $$
begin
  if not exists (select from pg_roles where rolname = 'analyst') then
    begin
      create role analyst login nosuperuser nocreatedb nocreaterole;
    exception when duplicate_object or unique_violation then
      null; -- created at the same moment by a migration in another database of this server
    end;
  end if;
  execute format('grant connect on database %I to analyst', current_database());
end
$$;

grant usage on schema public to analyst;
grant select on all tables in schema public to analyst;
-- Tables created later by this (migrating) user are readable too.
alter default privileges in schema public grant select on tables to analyst;

-- Status events are read by market and time (gateway, gap detection).
create index if not exists status_events_market_time on status_events (exchange, market, time desc);
