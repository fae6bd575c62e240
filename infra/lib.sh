# shellcheck shell=bash
# Shared helpers for infra/stack.sh and infra/down.sh. Source it; do not execute it.
#
# Defines: TP_REPO_ROOT, TP_STATE (resolved TICKERPLANT_STATE_DIR), log/warn/die,
# parse_url, is_local_host, proc_starttime, pid_alive, stop_pid.

TP_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"

log() { printf '[stack] %s\n' "$*"; }
warn() { printf '[stack] warning: %s\n' "$*" >&2; }
die() {
  printf '[stack] error: %s\n' "$*" >&2
  exit 1
}

# Resolve the state directory and refuse one inside the checkout (a fresh clone or a
# `git clean` must not lose the TimescaleDB root, and the repo must not fill with data).
tp_resolve_state() {
  local raw="${TICKERPLANT_STATE_DIR:-${HOME:-/root}/.tickerplant}"
  TP_STATE="$(realpath -m -- "$raw")"
  case "$TP_STATE/" in
    "$TP_REPO_ROOT"/*)
      die "TICKERPLANT_STATE_DIR ($TP_STATE) must be outside the checkout ($TP_REPO_ROOT)"
      ;;
  esac
  export TICKERPLANT_STATE_DIR="$TP_STATE"
}

# shellcheck disable=SC2034 # the U_* results are read by the sourcing scripts
# parse_url URL -> sets U_SCHEME U_USER U_PASS U_HOST U_PORT U_PATH (path without leading
# slash, query stripped). For a comma-separated list (NATS) the first entry is used.
parse_url() {
  local url="${1%%,*}" rest auth hostport
  U_SCHEME="" U_USER="" U_PASS="" U_HOST="" U_PORT="" U_PATH=""
  if [[ "$url" == *://* ]]; then
    U_SCHEME="${url%%://*}"
    rest="${url#*://}"
  else
    rest="$url"
  fi
  rest="${rest%%\?*}"
  if [[ "$rest" == */* ]]; then
    U_PATH="${rest#*/}"
    rest="${rest%%/*}"
  fi
  if [[ "$rest" == *@* ]]; then
    auth="${rest%@*}"
    hostport="${rest##*@}"
    U_USER="${auth%%:*}"
    [[ "$auth" == *:* ]] && U_PASS="${auth#*:}"
  else
    hostport="$rest"
  fi
  if [[ "$hostport" == \[* ]]; then # [ipv6]:port
    U_HOST="${hostport#[}"
    U_HOST="${U_HOST%%]*}"
    [[ "$hostport" == *\]:* ]] && U_PORT="${hostport##*]:}"
  elif [[ "$hostport" == *:* ]]; then
    U_HOST="${hostport%%:*}"
    U_PORT="${hostport##*:}"
  else
    U_HOST="$hostport"
  fi
  [[ -n "$U_HOST" ]] || U_HOST=127.0.0.1
}

is_local_host() {
  case "$1" in
    127.* | localhost | ::1 | 0.0.0.0) return 0 ;;
    *) return 1 ;;
  esac
}

# Start time (clock ticks since boot) of a process; guards against pid reuse.
proc_starttime() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }" # drop "pid (comm) "
  # shellcheck disable=SC2086
  set -- $stat
  printf '%s\n' "${20}" # field 22 of the full line
}

pid_alive() {
  [[ "$1" =~ ^[0-9]+$ ]] && [[ "$1" -gt 1 ]] && kill -0 "$1" 2>/dev/null
}

# stop_pid PID [GRACE_SECONDS=10]: SIGTERM, wait, then SIGKILL.
stop_pid() {
  local pid="$1" grace="${2:-10}" i
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  warn "pid $pid did not stop within ${grace}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  return 1
}

# run_bounded SECONDS CMD...: run CMD under `timeout` and wait for it. If this script gets
# SIGINT/SIGTERM meanwhile, the whole command tree is terminated too (`timeout` runs in its
# own process group, so a Ctrl-C would otherwise leave e.g. debootstrap running on its own).
TP_CHILD=""
run_bounded() {
  local secs="$1" rc=0
  shift
  timeout "$secs" "$@" &
  TP_CHILD=$!
  wait "$TP_CHILD" || rc=$?
  TP_CHILD=""
  return "$rc"
}
tp_on_signal() {
  if [[ -n "$TP_CHILD" ]]; then
    kill -TERM "$TP_CHILD" 2>/dev/null || true
    wait "$TP_CHILD" 2>/dev/null || true
  fi
  printf '[stack] interrupted\n' >&2
  exit 130
}
trap tp_on_signal INT TERM HUP

# apt_install PKG...: install Debian packages on the host (apt-get update on first failure).
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  log "installing with apt-get: $*"
  if ! run_bounded 900 apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1; then
    run_bounded 300 apt-get update >/dev/null 2>&1 || warn "apt-get update failed"
    run_bounded 900 apt-get install -y --no-install-recommends "$@" >/dev/null ||
      die "apt-get install $* failed"
  fi
}
