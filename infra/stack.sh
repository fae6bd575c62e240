#!/usr/bin/env bash
# Tickerplant local infrastructure: NATS (JetStream), Redis, TimescaleDB.
#
#   bash infra/stack.sh up      # reuse what fits, start project-local services for the rest
#   bash infra/stack.sh status  # URL + up/down per service (exit 1 if any is down)
#   bash infra/stack.sh env     # `export ...` lines for eval "$(bash infra/stack.sh env)"
#   bash infra/stack.sh down    # stop ONLY what this script started
#   bash infra/stack.sh nats-newer  # Debian 13's nats-server into the trixie root (for bench/nats-server.ts)
#
# Config (env, with defaults):
#   TICKERPLANT_STATE_DIR  $HOME/.tickerplant (outside the checkout; reused by every clone)
#   NATS_URL               nats://127.0.0.1:4222
#   REDIS_URL              redis://127.0.0.1:6379
#   DATABASE_URL           postgres://tickerplant@127.0.0.1:5433/tickerplant
#   TEST_DATABASE_URL      DATABASE_URL with database tickerplant_test (created too)
#
# Reuse rules: NATS must answer $JS.API.INFO (JetStream enabled for the account); Redis must
# answer PING; PostgreSQL must list `timescaledb` in pg_available_extensions. When nothing
# answers at a local address, a project-local server is started with data under the state
# dir. Debian 12 has no TimescaleDB package, so the project-local TimescaleDB is PostgreSQL 17
# + postgresql-17-timescaledb installed into a debootstrapped Debian trixie root in the state
# dir and run with chroot (no mounts stay behind while it runs).
#
# State dir layout:
#   infra/*.pid, infra/*.start   pids + start times of services this script started
#   logs/                        nats.log, redis.log, timescaledb.log, install logs
#   nats/ redis/                 data of the project-local NATS / Redis
#   trixie-root/                 Debian trixie root with PostgreSQL 17 + TimescaleDB
#   pgdata -> trixie-root/var/lib/postgresql/tickerplant (the cluster's data directory)
#   run/*.pid                    app pids (written by infra/up.sh, stopped by infra/down.sh)
set -Eeuo pipefail

# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
DATABASE_URL="${DATABASE_URL:-postgres://tickerplant@127.0.0.1:5433/tickerplant}"

PG_MAJOR=17
PG_BIN="/usr/lib/postgresql/$PG_MAJOR/bin"
CH_PGDATA=/var/lib/postgresql/tickerplant # data dir, as seen inside the chroot
CH_PGLOG=/var/log/postgresql/tickerplant.log
TRIXIE_MIRROR="${TICKERPLANT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

tp_resolve_state
STATE="$TP_STATE"
INFRA="$STATE/infra"
LOGS="$STATE/logs"
ROOT="$STATE/trixie-root"
STAMP_BOOTSTRAP="$STATE/trixie-root.debootstrap.done"
STAMP_PACKAGES="$STATE/trixie-root.postgresql-$PG_MAJOR.done"
STAMP_INITDB="$STATE/pgdata.initdb.done"

# ---------------------------------------------------------------------------------------
# NATS
# ---------------------------------------------------------------------------------------

# Raw NATS protocol probe, run under `timeout`. Exit 0: JetStream answers $JS.API.INFO;
# 1: a NATS server answers but JetStream is not available; 2: no NATS server; 3: TLS needed.
nats_js_probe() {
  local host="$1" port="$2" user="$3" pass="$4" line connect
  exec 3<>"/dev/tcp/$host/$port" || return 2
  IFS= read -r -t 3 line <&3 || return 2
  [[ "$line" == INFO* ]] || return 2
  [[ "$line" == *'"tls_required":true'* ]] && return 3
  connect='{"verbose":false,"pedantic":false,"protocol":1,"headers":true,"no_responders":true,"name":"tickerplant-stack-probe","lang":"bash","version":"1.0.0"'
  if [[ -n "$user" && -n "$pass" ]]; then
    connect+=",\"user\":\"$user\",\"pass\":\"$pass\""
  elif [[ -n "$user" ]]; then
    connect+=",\"auth_token\":\"$user\""
  fi
  connect+='}'
  # shellcheck disable=SC2016 # $JS.API.INFO is a NATS subject, not a variable
  printf 'CONNECT %s\r\nSUB _INBOX.tickerplant.probe 1\r\nPUB $JS.API.INFO _INBOX.tickerplant.probe 0\r\n\r\nPING\r\n' \
    "$connect" >&3
  while IFS= read -r -t 3 line <&3; do
    line="${line%$'\r'}"
    case "$line" in
      MSG\ *)
        IFS= read -r -t 3 line <&3 || return 1
        [[ "$line" == *account_info_response* && "$line" != *'"error"'* ]] && return 0
        return 1
        ;;
      HMSG\ *) return 1 ;; # 503 no responders: JetStream is off
      -ERR*) return 1 ;;
      PING) printf 'PONG\r\n' >&3 ;;
    esac
  done
  return 1
}

nats_check() { # -> 0 js ok, 1 nats without js, 2 nothing, 3 tls
  parse_url "$NATS_URL"
  local port="${U_PORT:-4222}" rc=0
  timeout 8 bash -c "$(declare -f nats_js_probe); nats_js_probe \"\$@\"" _ \
    "$U_HOST" "$port" "$U_USER" "$U_PASS" 2>/dev/null || rc=$?
  [[ $rc == 124 ]] && rc=2
  return "$rc"
}

nats_up() {
  local rc=0 bin pid i host port
  nats_check || rc=$?
  case $rc in
    0)
      if owned_pid nats >/dev/null; then
        log "reusing project-local NATS at $NATS_URL (JetStream enabled, pid $(owned_pid nats))"
      else
        log "reusing NATS at $NATS_URL (JetStream enabled)"
      fi
      return 0
      ;;
    1) die "a NATS server answers at $NATS_URL but JetStream is not enabled; enable it (-js) or point NATS_URL elsewhere" ;;
    3) die "NATS at $NATS_URL requires TLS; this script cannot verify it (use a plain local NATS or start it yourself)" ;;
  esac
  parse_url "$NATS_URL"
  host="$U_HOST" port="${U_PORT:-4222}"
  is_local_host "$host" || die "no NATS answers at $NATS_URL and it is not a local address; start it there or change NATS_URL"
  if ! bin="$(command -v nats-server || ls /usr/sbin/nats-server 2>/dev/null)"; then
    apt_install nats-server
    bin="$(command -v nats-server || echo /usr/sbin/nats-server)"
  fi
  [[ -x "$bin" ]] || die "nats-server not found after installing it"
  log "starting project-local NATS (JetStream) on $host:$port, store $STATE/nats ..."
  mkdir -p "$STATE/nats" "$INFRA" "$LOGS"
  rm -f "$INFRA/nats.pid"
  local args=(-n tickerplant-local -a "$host" -p "$port" -js -sd "$STATE/nats" -l "$LOGS/nats.log" -P "$INFRA/nats.pid")
  if [[ -n "$U_USER" && -n "$U_PASS" ]]; then
    args+=(--user "$U_USER" --pass "$U_PASS")
  elif [[ -n "$U_USER" ]]; then
    args+=(--auth "$U_USER")
  fi
  # 9>&-: long-lived daemons must not inherit the lock on $STATE/.stack.lock
  setsid "$bin" "${args[@]}" </dev/null >>"$LOGS/nats.log" 2>&1 9>&- &
  pid=$!
  disown "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do # 30 s
    if nats_check; then
      [[ -s "$INFRA/nats.pid" ]] && pid="$(cat "$INFRA/nats.pid")"
      record_owned nats "$pid"
      log "NATS is up at $NATS_URL (JetStream enabled, pid $pid)"
      return 0
    fi
    pid_alive "$pid" || break
    sleep 0.1
  done
  tail -n 5 "$LOGS/nats.log" >&2 || true
  if pid_alive "$pid"; then
    kill "$pid" 2>/dev/null || true
    die "project-local NATS did not answer at $NATS_URL within 30 s (log: $LOGS/nats.log)"
  fi
  die "project-local NATS exited at start (port $port taken by something else?) (log: $LOGS/nats.log)"
}

# ---------------------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------------------

redis_check() {
  command -v redis-cli >/dev/null || return 1
  [[ "$(timeout 5 redis-cli -u "$REDIS_URL" --no-auth-warning ping 2>/dev/null)" == PONG ]]
}

redis_up() {
  local i pid host port
  command -v redis-cli >/dev/null || apt_install redis-tools
  if redis_check; then
    if owned_pid redis >/dev/null; then
      log "reusing project-local Redis at $REDIS_URL (pid $(owned_pid redis))"
    else
      log "reusing Redis at $REDIS_URL"
    fi
    return 0
  fi
  parse_url "$REDIS_URL"
  host="$U_HOST" port="${U_PORT:-6379}"
  is_local_host "$host" || die "no Redis answers at $REDIS_URL and it is not a local address; start it there or change REDIS_URL"
  command -v redis-server >/dev/null || apt_install redis-server
  log "starting project-local Redis on $host:$port, data $STATE/redis ..."
  mkdir -p "$STATE/redis" "$INFRA" "$LOGS"
  rm -f "$INFRA/redis.pid"
  local args=(--bind "$host" --port "$port" --dir "$STATE/redis" --daemonize yes
    --pidfile "$INFRA/redis.pid" --logfile "$LOGS/redis.log" --save "60 1" --appendonly no)
  [[ -n "$U_PASS" ]] && args+=(--requirepass "$U_PASS")
  setsid redis-server "${args[@]}" </dev/null >>"$LOGS/redis.log" 2>&1 9>&- ||
    die "redis-server failed to start (log: $LOGS/redis.log)"
  for ((i = 0; i < 150; i++)); do # 15 s
    if redis_check && pid="$(cat "$INFRA/redis.pid" 2>/dev/null)" && pid_alive "$pid"; then
      record_owned redis "$pid"
      log "Redis is up at $REDIS_URL (pid $pid)"
      return 0
    fi
    sleep 0.1
  done
  tail -n 20 "$LOGS/redis.log" >&2 || true
  die "project-local Redis did not come up at $REDIS_URL within 15 s (log: $LOGS/redis.log)"
}

# ---------------------------------------------------------------------------------------
# Ownership of started processes
# ---------------------------------------------------------------------------------------

record_owned() { # name pid
  mkdir -p "$INFRA"
  printf '%s\n' "$2" >"$INFRA/$1.pid"
  proc_starttime "$2" >"$INFRA/$1.start"
}

# Prints the pid if the process we started is still the one alive under that pid.
owned_pid() {
  local pid start
  pid="$(cat "$INFRA/$1.pid" 2>/dev/null)" || return 1
  start="$(cat "$INFRA/$1.start" 2>/dev/null)" || return 1
  pid_alive "$pid" || return 1
  [[ "$(proc_starttime "$pid" 2>/dev/null)" == "$start" ]] || return 1
  printf '%s\n' "$pid"
}

stop_owned() { # name label
  local pid
  if pid="$(owned_pid "$1")"; then
    log "stopping project-local $2 (pid $pid)"
    stop_pid "$pid" 10 || warn "could not stop $2 (pid $pid)"
  else
    log "$2: nothing started by this script is running (left alone)"
  fi
  rm -f "$INFRA/$1.pid" "$INFRA/$1.start"
}

# ---------------------------------------------------------------------------------------
# TimescaleDB
# ---------------------------------------------------------------------------------------

pg_url_port() {
  parse_url "$DATABASE_URL"
  printf '%s\n' "${U_PORT:-5432}"
}

# Replace the database name in DATABASE_URL.
url_with_db() {
  local url="$1" db="$2" base query=""
  [[ "$url" == *\?* ]] && query="?${url#*\?}"
  base="${url%%\?*}"
  local scheme="${base%%://*}" rest="${base#*://}"
  printf '%s://%s/%s%s\n' "$scheme" "${rest%%/*}" "$db" "$query"
}

# TEST_DATABASE_URL defaults to DATABASE_URL with the database tickerplant_test.
test_database_url() {
  printf '%s\n' "${TEST_DATABASE_URL:-$(url_with_db "$DATABASE_URL" tickerplant_test)}"
}

test_db_name() {
  parse_url "$(test_database_url)"
  printf '%s\n' "${U_PATH:-tickerplant_test}"
}

pg_isready_at() { # host port
  timeout 5 pg_isready -q -h "$1" -p "$2" -t 3 >/dev/null 2>&1
}

# Runs a command inside the trixie root as the chroot's postgres user, clean environment.
pg_chroot() {
  local uid gid
  uid="$(awk -F: '$1=="postgres"{print $3}' "$ROOT/etc/passwd")"
  gid="$(awk -F: '$1=="postgres"{print $4}' "$ROOT/etc/passwd")"
  [[ -n "$uid" && -n "$gid" ]] || die "no postgres user in $ROOT"
  chroot --userspec="$uid:$gid" "$ROOT" /usr/bin/env -i \
    PATH="$PG_BIN:/usr/sbin:/usr/bin:/sbin:/bin" HOME=/var/lib/postgresql \
    LANG=C.UTF-8 LC_ALL=C.UTF-8 "$@"
}

local_pg_installed() {
  [[ -f "$STAMP_BOOTSTRAP" && -f "$STAMP_PACKAGES" && -x "$ROOT$PG_BIN/pg_ctl" ]]
}

local_pg_running() {
  local_pg_installed && [[ -f "$STAMP_INITDB" ]] &&
    pg_chroot "$PG_BIN/pg_ctl" -D "$CH_PGDATA" status >/dev/null 2>&1
}

local_pg_pid() {
  head -n 1 "$ROOT$CH_PGDATA/postmaster.pid" 2>/dev/null
}

local_pg_port() {
  sed -n 4p "$ROOT$CH_PGDATA/postmaster.pid" 2>/dev/null
}

# Unmounts everything below the trixie root (from a failed run of an older version, or a
# debootstrap killed hard). Mounting is done in private mount namespaces, so normally there
# is nothing to do.
umount_below_root() {
  local real m
  [[ -d "$ROOT" ]] || return 0
  real="$(realpath "$ROOT")"
  while read -r m; do
    [[ -n "$m" ]] || continue
    warn "unmounting leftover mount $m"
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done < <(awk -v r="$real" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r)
  if awk -v r="$real" '$2 == r || index($2, r "/") == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
    die "mounts remain below $ROOT; unmount them by hand"
  fi
}

ensure_trixie_root() {
  if [[ -f "$STAMP_BOOTSTRAP" && -x "$ROOT/bin/sh" ]]; then
    return 0
  fi
  command -v debootstrap >/dev/null || [[ -x /usr/sbin/debootstrap ]] || apt_install debootstrap
  local dbs
  dbs="$(command -v debootstrap || echo /usr/sbin/debootstrap)"
  umount_below_root
  rm -f "$STAMP_BOOTSTRAP" "$STAMP_PACKAGES" "$STAMP_INITDB"
  if [[ -e "$ROOT" ]]; then
    log "removing incomplete Debian trixie root $ROOT"
    rm -rf --one-file-system "$ROOT"
  fi
  mkdir -p "$LOGS"
  log "debootstrapping Debian trixie (minbase) into $ROOT (a few minutes; log: $LOGS/debootstrap.log) ..."
  # A private mount namespace: whatever debootstrap mounts goes away with it, even if killed.
  if ! run_bounded 1200 unshare --mount --propagation private \
    "$dbs" --variant=minbase trixie "$ROOT" "$TRIXIE_MIRROR" >"$LOGS/debootstrap.log" 2>&1; then
    tail -n 20 "$LOGS/debootstrap.log" >&2 || true
    die "debootstrap of Debian trixie failed (log: $LOGS/debootstrap.log); rerun to retry"
  fi
  touch "$STAMP_BOOTSTRAP"
}

ensure_pg_packages() {
  if [[ -f "$STAMP_PACKAGES" && -x "$ROOT$PG_BIN/pg_ctl" ]]; then
    return 0
  fi
  rm -f "$STAMP_PACKAGES"
  log "installing postgresql-$PG_MAJOR + postgresql-$PG_MAJOR-timescaledb into $ROOT (log: $LOGS/chroot-apt.log) ..."
  # Inside a chroot nothing may start services, and no default cluster is wanted.
  rm -f "$ROOT/usr/sbin/policy-rc.d"
  printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
  chmod 755 "$ROOT/usr/sbin/policy-rc.d"
  mkdir -p "$ROOT/etc/postgresql-common"
  printf 'create_main_cluster = false\n' >"$ROOT/etc/postgresql-common/createcluster.conf"
  rm -f "$ROOT/etc/resolv.conf" # may be a symlink; never write through it to the host
  cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
  umount_below_root
  # /proc and /dev are mounted in a private mount namespace only: they vanish when the
  # install ends, however it ends, so no bind mounts can be left behind.
  # shellcheck disable=SC2016
  if ! run_bounded 1500 unshare --mount --propagation private bash -ec '
      root="$1"; pkgs="$2"
      mount -t proc proc "$root/proc"
      mount --bind /dev "$root/dev"
      export DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8
      chroot "$root" apt-get update
      chroot "$root" apt-get install -y --no-install-recommends \
        -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confdef $pkgs
      chroot "$root" apt-get clean
    ' _ "$ROOT" "postgresql-$PG_MAJOR postgresql-$PG_MAJOR-timescaledb" >"$LOGS/chroot-apt.log" 2>&1; then
    tail -n 20 "$LOGS/chroot-apt.log" >&2 || true
    die "installing PostgreSQL $PG_MAJOR + TimescaleDB into $ROOT failed (log: $LOGS/chroot-apt.log); rerun to retry"
  fi
  [[ -x "$ROOT$PG_BIN/pg_ctl" ]] || die "pg_ctl missing in $ROOT after install"
  ls "$ROOT/usr/share/postgresql/$PG_MAJOR/extension/timescaledb.control" >/dev/null 2>&1 ||
    die "timescaledb extension missing in $ROOT after install"
  touch "$STAMP_PACKAGES"
}

# Device nodes PostgreSQL needs, created in the root (no /dev mount while the server runs).
ensure_chroot_devices() {
  local spec name type major minor
  for spec in "null c 1 3" "zero c 1 5" "random c 1 8" "urandom c 1 9" "full c 1 7"; do
    read -r name type major minor <<<"$spec"
    if [[ ! -c "$ROOT/dev/$name" ]]; then
      rm -f "$ROOT/dev/$name"
      mknod -m 666 "$ROOT/dev/$name" "$type" "$major" "$minor"
    fi
  done
}

ensure_cluster() {
  local host="$1" port="$2"
  local uid
  uid="$(awk -F: '$1=="postgres"{print $3}' "$ROOT/etc/passwd")"
  # Host-side paths only through real directories: $ROOT/var/run is an absolute symlink (/run)
  # that would resolve to the HOST's /run from out here.
  mkdir -p "$ROOT/run/postgresql" "$ROOT/var/log/postgresql" "$ROOT/var/lib/postgresql"
  chown "$uid" "$ROOT/run/postgresql" "$ROOT/var/log/postgresql" "$ROOT/var/lib/postgresql"
  ln -sfn "trixie-root$CH_PGDATA" "$STATE/pgdata"
  if [[ -f "$STAMP_INITDB" && -f "$ROOT$CH_PGDATA/PG_VERSION" ]]; then
    return 0
  fi
  rm -f "$STAMP_INITDB"
  rm -rf --one-file-system "${ROOT:?}$CH_PGDATA"
  log "initializing TimescaleDB cluster in $STATE/pgdata ..."
  pg_chroot "$PG_BIN/initdb" -D "$CH_PGDATA" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$LOGS/initdb.log" 2>&1 ||
    {
      tail -n 20 "$LOGS/initdb.log" >&2
      die "initdb failed (log: $LOGS/initdb.log)"
    }
  cat >>"$ROOT$CH_PGDATA/postgresql.conf" <<EOF

# --- tickerplant (infra/stack.sh) ---
shared_preload_libraries = 'timescaledb'
timescaledb.telemetry_level = off
# listen_addresses and port come from DATABASE_URL at every start (pg_ctl -o)
unix_socket_directories = '/run/postgresql'
# SysV shared memory: no /dev/shm mount needed inside the chroot
dynamic_shared_memory_type = sysv
max_connections = 200
shared_buffers = 256MB
max_locks_per_transaction = 256
timezone = 'UTC'
log_timezone = 'UTC'
EOF
  touch "$STAMP_INITDB"
}

start_local_pg() {
  local host="$1" port="$2" listen="$1" i
  [[ "$host" == localhost ]] && listen=localhost
  [[ "$host" == 0.0.0.0 ]] && listen='*'
  log "starting project-local TimescaleDB on :$port (PostgreSQL $PG_MAJOR in $ROOT) ..."
  # pg_ctl puts the postmaster in its own session (setsid), so it outlives this script.
  if ! pg_chroot "$PG_BIN/pg_ctl" -D "$CH_PGDATA" -l "$CH_PGLOG" -w -t 60 \
    -o "-c listen_addresses='$listen' -c port=$port" start </dev/null >>"$LOGS/pg_ctl.log" 2>&1 9>&-; then
    tail -n 30 "$ROOT$CH_PGLOG" >&2 || true
    die "project-local TimescaleDB failed to start within 60 s (log: $ROOT$CH_PGLOG)"
  fi
  for ((i = 0; i < 60; i++)); do
    pg_isready_at "$host" "$port" && break
    sleep 1
  done
  pg_isready_at "$host" "$port" || die "TimescaleDB started but does not accept TCP connections on $host:$port within 60 s"
  mkdir -p "$INFRA"
  printf '%s\n' "$port" >"$INFRA/timescaledb.owned"
}

# Create role, databases and the extension on the project-local server (trust auth,
# superuser "postgres" over TCP).
provision_local_pg() {
  local host="$1" port="$2" role="$3" pass="$4" db="$5" test_db="$6" d
  local admin="host=$host port=$port user=postgres dbname=postgres connect_timeout=5"
  psql -X -q -At -v ON_ERROR_STOP=1 -v role="$role" -v pass="$pass" -v db="$db" -v test_db="$test_db" "$admin" >/dev/null <<'SQL' ||
SELECT format('CREATE ROLE %I LOGIN SUPERUSER', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'pass') WHERE :'pass' <> '' \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'test_db', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'test_db') \gexec
SQL
    die "could not create role/databases on the project-local TimescaleDB"
  for d in "$db" "$test_db"; do
    psql -X -q -At -v ON_ERROR_STOP=1 "host=$host port=$port user=postgres dbname=$d connect_timeout=5" \
      -c 'CREATE EXTENSION IF NOT EXISTS timescaledb' >/dev/null 2>&1 ||
      die "could not create extension timescaledb in database $d"
  done
}

# On a reused server we only have DATABASE_URL's credentials: best effort.
provision_external_pg() {
  local test_db="$1" test_url
  test_url="$(url_with_db "$DATABASE_URL" "$test_db")"
  psql -X -q -At "$DATABASE_URL" -c 'CREATE EXTENSION IF NOT EXISTS timescaledb' >/dev/null 2>&1 ||
    warn "could not CREATE EXTENSION timescaledb in the database of DATABASE_URL (insufficient privileges?)"
  if [[ "$(psql -X -At "$DATABASE_URL" -c "select 1 from pg_database where datname = '$test_db'" 2>/dev/null)" != 1 ]]; then
    psql -X -q "$DATABASE_URL" -c "CREATE DATABASE \"$test_db\"" >/dev/null 2>&1 ||
      warn "could not create test database $test_db"
  fi
  psql -X -q -At "$test_url" -c 'CREATE EXTENSION IF NOT EXISTS timescaledb' >/dev/null 2>&1 ||
    warn "could not CREATE EXTENSION timescaledb in $test_db"
}

timescale_up() {
  parse_url "$DATABASE_URL"
  local host="$U_HOST" port="${U_PORT:-5432}" role="${U_USER:-tickerplant}" pass="$U_PASS"
  local db="${U_PATH:-$role}" test_db out
  test_db="$(test_db_name)"
  if ! command -v psql >/dev/null || ! command -v pg_isready >/dev/null; then
    apt_install postgresql-client
  fi

  if local_pg_running; then
    local running_port
    running_port="$(local_pg_port)"
    if [[ "$running_port" != "$port" ]]; then
      die "the project-local TimescaleDB is running on :$running_port but DATABASE_URL says :$port; run 'bash infra/stack.sh down' first"
    fi
    pg_isready_at "$host" "$port" || die "project-local TimescaleDB runs (pid $(local_pg_pid)) but does not answer on $host:$port"
    provision_local_pg "$host" "$port" "$role" "$pass" "$db" "$test_db"
    [[ -f "$INFRA/timescaledb.owned" ]] || printf '%s\n' "$port" >"$INFRA/timescaledb.owned"
    log "reusing project-local TimescaleDB at $DATABASE_URL (pid $(local_pg_pid))"
    return 0
  fi

  if pg_isready_at "$host" "$port"; then
    if out="$(timeout 10 psql -X -At "$DATABASE_URL" -c "select 1 from pg_available_extensions where name = 'timescaledb'" 2>&1)"; then
      if [[ "$out" == 1 ]]; then
        provision_external_pg "$test_db"
        log "reusing TimescaleDB at $DATABASE_URL"
        return 0
      fi
      die "the PostgreSQL at $host:$port has no timescaledb extension available, so it does not fit; free port $port or point DATABASE_URL at another port (the project-local TimescaleDB defaults to :5433)"
    fi
    die "a PostgreSQL answers at $host:$port but DATABASE_URL does not connect: ${out%%$'\n'*}"
  fi

  is_local_host "$host" || die "no PostgreSQL answers at $host:$port and it is not a local address; start TimescaleDB there or change DATABASE_URL"
  ensure_trixie_root
  ensure_pg_packages
  ensure_chroot_devices
  ensure_cluster "$host" "$port"
  start_local_pg "$host" "$port"
  provision_local_pg "$host" "$port" "$role" "$pass" "$db" "$test_db"
  log "TimescaleDB is up at $DATABASE_URL (pid $(local_pg_pid); test database $test_db)"
}

timescale_down() {
  if local_pg_running; then
    log "stopping project-local TimescaleDB (pid $(local_pg_pid))"
    pg_chroot "$PG_BIN/pg_ctl" -D "$CH_PGDATA" -m fast -w -t 60 stop >/dev/null ||
      warn "pg_ctl stop failed (log: $ROOT$CH_PGLOG)"
  else
    log "TimescaleDB: nothing started by this script is running (left alone)"
  fi
  rm -f "$INFRA/timescaledb.owned"
}

# ---------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------

take_lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/.stack.lock"
  if ! flock -n 9; then
    log "another infra/stack.sh holds $STATE/.stack.lock; waiting up to 15 min ..."
    flock -w 900 9 || die "timed out waiting for $STATE/.stack.lock"
  fi
}

cmd_up() {
  local t0=$SECONDS
  take_lock
  mkdir -p "$INFRA" "$LOGS"
  nats_up
  redis_up
  timescale_up
  log "all services up in $((SECONDS - t0)) s (state: $STATE). Use: eval \"\$(bash infra/stack.sh env)\""
}

cmd_down() {
  take_lock
  timescale_down
  stop_owned redis Redis
  stop_owned nats NATS
}

cmd_status() {
  local all=0 rc pid extra ver lic
  rc=0
  nats_check || rc=$?
  extra="external"
  pid="$(owned_pid nats)" && extra="project-local, pid $pid"
  case $rc in
    0) printf '%-12s %-55s up (JetStream)  [%s]\n' NATS "$NATS_URL" "$extra" ;;
    1) printf '%-12s %-55s up, NO JetStream\n' NATS "$NATS_URL"; all=1 ;;
    3) printf '%-12s %-55s TLS required (not checked)\n' NATS "$NATS_URL"; all=1 ;;
    *) printf '%-12s %-55s down\n' NATS "$NATS_URL"; all=1 ;;
  esac

  extra="external"
  pid="$(owned_pid redis)" && extra="project-local, pid $pid"
  if redis_check; then
    printf '%-12s %-55s up  [%s]\n' Redis "$REDIS_URL" "$extra"
  else
    printf '%-12s %-55s down\n' Redis "$REDIS_URL"
    all=1
  fi

  extra="external"
  local_pg_running && extra="project-local, pid $(local_pg_pid), data $STATE/pgdata"
  ver="$(timeout 10 psql -X -At "$DATABASE_URL" -c "select extversion from pg_extension where extname = 'timescaledb'" 2>/dev/null || true)"
  if [[ -n "$ver" ]]; then
    lic="$(timeout 10 psql -X -At "$DATABASE_URL" -c 'show timescaledb.license' 2>/dev/null || echo '?')"
    printf '%-12s %-55s up (timescaledb %s, timescaledb.license=%s)  [%s]\n' TimescaleDB "$DATABASE_URL" "$ver" "$lic" "$extra"
  elif timeout 10 psql -X -At "$DATABASE_URL" -c 'select 1' >/dev/null 2>&1; then
    printf '%-12s %-55s up, but extension timescaledb is NOT installed in this database  [%s]\n' TimescaleDB "$DATABASE_URL" "$extra"
    all=1
  else
    printf '%-12s %-55s down\n' TimescaleDB "$DATABASE_URL"
    all=1
  fi
  return "$all"
}

cmd_env() {
  printf 'export NATS_URL=%q\n' "$NATS_URL"
  printf 'export REDIS_URL=%q\n' "$REDIS_URL"
  printf 'export DATABASE_URL=%q\n' "$DATABASE_URL"
  printf 'export TEST_DATABASE_URL=%q\n' "$(test_database_url)"
}

# Three local nats-servers as a JetStream cluster (for STREAM_REPLICAS=3 on one machine), in the
# background; prints the NATS_URL to use. Stop with: bash infra/stack.sh cluster-down
cmd_cluster() {
  local state="${TICKERPLANT_STATE_DIR:-$HOME/.tickerplant}"
  mkdir -p "$state/run" "$state/logs"
  local port="${NATS_CLUSTER_BASE_PORT:-24222}"
  nohup bun "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/packages/testkit/src/bin/nats-cluster.ts" "$port" >"$state/logs/nats-cluster.log" 2>&1 &
  echo $! >"$state/run/nats-cluster.pid"
  for _ in $(seq 1 120); do
    if grep -q NATS_URL "$state/logs/nats-cluster.log" 2>/dev/null; then
      echo "[stack] NATS JetStream cluster up: $(sed -n 's/.*"NATS_URL":"\([^"]*\)".*/\1/p' "$state/logs/nats-cluster.log")"
      echo "[stack] use it with: NATS_URL=<that> STREAM_REPLICAS=3; stop: bash infra/stack.sh cluster-down"
      return 0
    fi
    sleep 0.5
  done
  echo "[stack] the NATS cluster did not start; see $state/logs/nats-cluster.log" >&2
  return 1
}

# Debian 13's newer nats-server into the trixie root (bench/nats-server.ts compares it with the
# host's); prints its path.
cmd_nats_newer() {
  take_lock
  ensure_trixie_root
  local bin="$ROOT/usr/sbin/nats-server"
  if [[ ! -x "$bin" ]]; then
    mkdir -p "$LOGS"
    log "installing nats-server into $ROOT (log: $LOGS/chroot-apt-nats.log) ..."
    rm -f "$ROOT/etc/resolv.conf"
    cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
    # shellcheck disable=SC2016
    run_bounded 600 unshare --mount --propagation private bash -ec '
        root="$1"
        mount -t proc proc "$root/proc"
        export DEBIAN_FRONTEND=noninteractive
        chroot "$root" apt-get install -y --no-install-recommends nats-server ||
          { chroot "$root" apt-get update && chroot "$root" apt-get install -y --no-install-recommends nats-server; }
        chroot "$root" apt-get clean
      ' _ "$ROOT" >"$LOGS/chroot-apt-nats.log" 2>&1 || die "installing nats-server into $ROOT failed (log: $LOGS/chroot-apt-nats.log)"
  fi
  log "$("$bin" --version) at $bin"
}

cmd_cluster_down() {
  local pidfile="${TICKERPLANT_STATE_DIR:-$HOME/.tickerplant}/run/nats-cluster.pid"
  [ -f "$pidfile" ] && kill -TERM "$(cat "$pidfile")" 2>/dev/null
  rm -f "$pidfile"
}

case "${1:-}" in
  up) cmd_up ;;
  cluster) cmd_cluster ;;
  cluster-down) cmd_cluster_down ;;
  nats-newer) cmd_nats_newer ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *)
    echo "usage: bash infra/stack.sh up|down|status|env|cluster|cluster-down|nats-newer" >&2
    exit 2
    ;;
esac
