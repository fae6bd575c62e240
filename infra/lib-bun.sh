# Sourced by up.sh and test.sh: makes sure Bun and the workspace's packages are installed.
ensure_bun() {
  if ! command -v bun >/dev/null 2>&1; then
    echo "installing Bun (npm install -g bun) ..."
    npm install -g --allow-scripts=bun bun >/dev/null 2>&1 || npm install -g bun >/dev/null
  fi
  command -v bun >/dev/null 2>&1 || { echo "error: Bun could not be installed" >&2; exit 1; }
}

ensure_packages() {
  (cd "$ROOT" && bun install --frozen-lockfile >/dev/null) || { echo "error: bun install failed" >&2; exit 1; }
}

load_dotenv() {
  if [ -f "$ROOT/.env" ]; then
    set -a
    # shellcheck disable=SC1091
    . "$ROOT/.env"
    set +a
  fi
}
