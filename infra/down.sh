#!/usr/bin/env bash
# Stops the Tickerplant app processes started by infra/up.sh (pids in
# "$TICKERPLANT_STATE_DIR/run/*.pid": SIGTERM, then SIGKILL after 10 s), then the
# infrastructure that infra/stack.sh itself started. System services are never touched.
set -Eeuo pipefail

# shellcheck source=infra/lib.sh
source "$(dirname "$0")/lib.sh"
tp_resolve_state

# Process start time in seconds since the epoch (to skip pid files whose pid was reused).
pid_started_epoch() {
  local ticks btime hz
  ticks="$(proc_starttime "$1")" || return 1
  btime="$(awk '$1 == "btime" { print $2 }' /proc/stat)"
  hz="$(getconf CLK_TCK)"
  printf '%s\n' "$((btime + ticks / hz))"
}

run_dir="$TP_STATE/run"
if [[ -d "$run_dir" ]]; then
  shopt -s nullglob
  files=("$run_dir"/*.pid)
  pids=()
  for f in "${files[@]}"; do
    pid="$(tr -dc '0-9' <"$f" | head -c 10)"
    name="$(basename "$f" .pid)"
    if ! pid_alive "$pid"; then
      rm -f "$f"
      continue
    fi
    started="$(pid_started_epoch "$pid" || echo 0)"
    if ((started > $(stat -c %Y "$f") + 5)); then
      warn "$name: pid $pid started after $f was written (pid reused?); left alone"
      rm -f "$f"
      continue
    fi
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid:$f:$name")
  done
  # One shared 10 s grace period for all apps, then SIGKILL the stragglers.
  for ((i = 0; i < 100; i++)); do
    alive=0
    for entry in "${pids[@]}"; do pid_alive "${entry%%:*}" && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for entry in "${pids[@]}"; do
    pid="${entry%%:*}" rest="${entry#*:}"
    if pid_alive "$pid"; then
      warn "${rest#*:} (pid $pid) did not stop within 10 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "${rest%%:*}"
  done
fi

exec bash "$(dirname "$0")/stack.sh" down
