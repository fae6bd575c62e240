#!/usr/bin/env bash
# Brings up the whole platform on this machine: infrastructure (NATS/JetStream, Redis, TimescaleDB),
# the exchange simulator when no live exchange answers, and the five services. Idempotent: a second
# run reuses the infrastructure and restarts the services. Stop everything with infra/down.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/infra/lib-bun.sh"
ensure_bun
ensure_packages
load_dotenv

bash "$ROOT/infra/stack.sh" up
eval "$(bash "$ROOT/infra/stack.sh" env)"
STATE="${TICKERPLANT_STATE_DIR:-$HOME/.tickerplant}"
RUN="$STATE/run"
LOGS="$STATE/logs"
mkdir -p "$RUN" "$LOGS"

ALL_EXCHANGES="binance,bybit,okx,coinbase,kraken,whitebit,bingx"
EXCHANGES="${EXCHANGES:-$ALL_EXCHANGES}"
MARKETS="${MARKETS:-BTC-USDT,ETH-USDT,BTC-USDT-PERP}"
CHANNELS="${CHANNELS:-trade,bbo,ticker,candle,book,deriv,liquidation}"
CANDLE_INTERVALS="${CANDLE_INTERVALS:-1m,5m}"
GATEWAY_PORT="${GATEWAY_PORT:-8080}"
SIMULATOR_PORT="${SIMULATOR_PORT:-9500}"
SOURCE="${SOURCE:-auto}"
stop_pid() {
  local f="$1"
  [ -f "$f" ] || return 0
  local pid; pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

start() { # name, command...
  local name="$1"; shift
  stop_pid "$RUN/$name.pid"
  nohup "$@" >>"$LOGS/$name.log" 2>&1 &
  echo $! >"$RUN/$name.pid"
}

wait_http() { # url, name
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "error: $2 did not become ready at $1; see $LOGS/$2.log" >&2
  tail -n 20 "$LOGS/$2.log" >&2 || true
  exit 1
}

# SOURCE=auto decides per exchange: live where the exchange's REST answers, the simulator for the
# others (SOURCES=binance=live,okx=simulated tells the ingestor). A deployment that names its
# source (SOURCE=live) never falls back to simulated data.
SOURCES="${SOURCES:-}"
if [ "$SOURCE" = "auto" ]; then
  SOURCES=$(bun "$ROOT/infra/probe-sources.ts" "$EXCHANGES")
  case ",$SOURCES," in
    *=live,*) case ",$SOURCES," in *=simulated,*) SOURCE=live ;; *) SOURCE=live; SOURCES="" ;; esac ;;
    *) SOURCE=simulated; SOURCES="" ;;
  esac
fi
SIMULATED_EXCHANGES=""
for ex in ${EXCHANGES//,/ }; do
  src="$SOURCE"
  case ",$SOURCES," in *",$ex=simulated,"*) src=simulated ;; *",$ex=live,"*) src=live ;; esac
  [ "$src" = "simulated" ] && SIMULATED_EXCHANGES="$SIMULATED_EXCHANGES${SIMULATED_EXCHANGES:+,}$ex"
done
for f in "$RUN"/simulator*.pid; do [ -e "$f" ] && stop_pid "$f"; done
if [ -n "$SIMULATED_EXCHANGES" ]; then
  # One simulator per simulated exchange, each speaking that exchange's protocol, on consecutive ports.
  overrides=""
  port=$SIMULATOR_PORT
  for ex in ${SIMULATED_EXCHANGES//,/ }; do
    start "simulator-$ex" env SIMULATOR_EXCHANGE="$ex" SIMULATOR_PORT="$port" \
      SIMULATOR_MARKETS="${SIMULATOR_MARKETS:-$MARKETS}" bun "$ROOT/packages/testkit/src/bin/simulator.ts"
    overrides="$overrides${overrides:+,}$ex.ws=ws://127.0.0.1:$port,$ex.rest=http://127.0.0.1:$port"
    port=$((port + 1))
  done
  port=$SIMULATOR_PORT
  for ex in ${SIMULATED_EXCHANGES//,/ }; do
    wait_http "http://127.0.0.1:$port/_sim/info" "simulator-$ex"
    port=$((port + 1))
  done
  export EXCHANGE_URL_OVERRIDES="${EXCHANGE_URL_OVERRIDES:-$overrides}"
fi
# The scheduler labels each exchange's REST data by what answers when the sources are mixed.
SCHEDULER_SOURCE="$SOURCE"
[ -n "$SOURCES" ] && SCHEDULER_SOURCE=auto
export SOURCES
export SOURCE EXCHANGES MARKETS CHANNELS CANDLE_INTERVALS NATS_URL REDIS_URL DATABASE_URL
# Bun's allocator keeps freed memory instead of returning it every few ms: 25–40 % less CPU per
# event, a higher resting RSS. The ingestor, for its memory target, returns it after 10 ms but
# leaves holes in used pages alone, and lets its JavaScript heap grow to at most 2× what survived
# the last collection (docs/benchmarks.md, "Allocator").
export MIMALLOC_PURGE_DELAY="${MIMALLOC_PURGE_DELAY:--1}"

start storage-writer env HTTP_PORT=9102 bun "$ROOT/apps/storage-writer/src/main.ts"
wait_http http://127.0.0.1:9102/health/ready storage-writer
start scheduler env HTTP_PORT=9103 SOURCE="$SCHEDULER_SOURCE" bun "$ROOT/apps/scheduler/src/main.ts"
start analyzer env HTTP_PORT=9104 bun "$ROOT/apps/analyzer/src/main.ts"
start ingestor env HTTP_PORT=9101 MIMALLOC_PURGE_DELAY="${INGESTOR_MIMALLOC_PURGE_DELAY:-10}" \
  MIMALLOC_PURGE_HOLES=0 BUN_JSC_heapGrowthMaxIncrease=1 bun --smol "$ROOT/apps/ingestor/src/main.ts"
start gateway env HTTP_PORT="$GATEWAY_PORT" bun "$ROOT/apps/gateway/src/main.ts"
# Bridges to other systems run only when switched on (RABBITMQ_URL and/or ZEROMQ_PUB_ENDPOINT).
if [ -n "${RABBITMQ_URL:-}${ZEROMQ_PUB_ENDPOINT:-}" ]; then
  start bridge env HTTP_PORT=9105 bun "$ROOT/apps/bridge/src/main.ts"
  wait_http http://127.0.0.1:9105/health/ready bridge
fi
for svc in scheduler:9103 analyzer:9104 ingestor:9101 gateway:$GATEWAY_PORT; do
  wait_http "http://127.0.0.1:${svc#*:}/health/ready" "${svc%%:*}"
done

banner="live exchange data"
[ -n "$SIMULATED_EXCHANGES" ] && banner="SIMULATED DATA for ${SIMULATED_EXCHANGES//,/, } (no live answer there; exchange simulators on :$SIMULATOR_PORT and up)"
[ -n "$SOURCES" ] && banner="$banner; live: $(printf '%s' ",$SOURCES," | grep -oE '[a-z]+=live' | cut -d= -f1 | paste -sd, -)"
cat <<MSG

Tickerplant is up — source: $banner

  Dashboard        http://localhost:$GATEWAY_PORT/
  Tickers (REST)   http://localhost:$GATEWAY_PORT/api/v1/tickers
  Exchanges        http://localhost:$GATEWAY_PORT/api/v1/exchanges
  API docs         http://localhost:$GATEWAY_PORT/docs   (OpenAPI: /openapi.json)
  WebSocket        ws://localhost:$GATEWAY_PORT/ws   e.g. {"op":"subscribe","channels":["trade:binance:*"],"id":1}
  Metrics/health   :9101 ingestor, :9102 storage-writer, :9103 scheduler, :9104 analyzer (/metrics, /health/ready)
  SQL (analysts)   $DATABASE_URL
  Logs             $LOGS/
  Stop             bash infra/down.sh
MSG
