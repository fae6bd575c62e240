#!/usr/bin/env bash
# Runs the whole test suite (unit, integration, end-to-end) against real NATS, Redis and
# TimescaleDB, bringing up what is missing first. Ends with one line: "N passed, N failed".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/infra/lib-bun.sh"
ensure_bun
ensure_packages
bash "$ROOT/infra/stack.sh" up || { echo "0 passed, 1 failed"; exit 1; }
# The dashboard test drives Debian's Chromium (no downloaded browsers).
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium for the browser test ..."
  (apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y chromium >/dev/null 2>&1; }) ||
    echo "warning: chromium could not be installed; the dashboard test will fail" >&2
fi
# The observability test runs promtool and a real Prometheus (Debian's package).
if ! command -v promtool >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "installing prometheus for the observability test ..."
  (apt-get install -y prometheus >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y prometheus >/dev/null 2>&1; }) ||
    echo "warning: prometheus could not be installed; the observability tests will be skipped" >&2
fi
# The bridge tests talk to a real RabbitMQ on :5672 (guest/guest) and a real ZeroMQ subscriber
# (Debian's python3-zmq on libzmq5, which the ZeroMQ bridge loads too).
apt_install() { apt-get install -y "$@" >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y "$@" >/dev/null 2>&1; }; }
if ! /usr/bin/python3 -c 'import zmq' 2>/dev/null && command -v apt-get >/dev/null 2>&1; then
  echo "installing libzmq5 and python3-zmq for the ZeroMQ bridge test ..."
  apt_install libzmq5 python3-zmq || echo "warning: libzmq5/python3-zmq could not be installed" >&2
fi
if ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  if ! command -v rabbitmq-server >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    echo "installing rabbitmq-server for the RabbitMQ bridge test ..."
    apt_install rabbitmq-server || echo "warning: rabbitmq-server could not be installed" >&2
  fi
  if command -v rabbitmq-server >/dev/null 2>&1; then
    echo "starting RabbitMQ on :5672 ..."
    rabbitmq-server -detached >/dev/null 2>&1 || true
    for _ in $(seq 1 120); do (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && break; sleep 0.5; done
  fi
fi
eval "$(bash "$ROOT/infra/stack.sh" env)"
# Tests run on infrastructure of their own (tests/isolation/preload.ts: a throwaway NATS, Redis
# database 15, database tickerplant_test); the guard proves the platform's stores gained nothing.
guard=$(mktemp)
bun "$ROOT/tests/isolation/platform-guard.ts" snapshot "$guard" || echo '{"identities":[],"consumers":[],"reached":[]}' >"$guard"

out=$(mktemp)
cd "$ROOT"
bun test --timeout 60000 "$@" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
passed=$(grep -E '^ *[0-9]+ pass$' "$out" | tail -1 | grep -oE '[0-9]+')
failed=$(grep -E '^ *[0-9]+ fail$' "$out" | tail -1 | grep -oE '[0-9]+')
rm -f "$out"
passed=${passed:-0}
failed=${failed:-0}
# A crash or a file that failed to load exits non-zero without a fail count.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if bun "$ROOT/tests/isolation/platform-guard.ts" check "$guard"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  status=1
fi
rm -f "$guard"
echo "${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
