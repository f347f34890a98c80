# Shared helpers for the project's scripts: pinned versions, cache paths, logging.
# Sourced, never run. Every path that holds downloaded or built tools lives in the cache,
# outside the repository, one folder per pinned version, so every clone (and CI) reuses it.

set -euo pipefail

# Pinned versions: change them here and nowhere else.
NODE_VERSION="24.22.3"
PNPM_VERSION="10.34.8"
DAPR_VERSION="1.18.2"
DAPR_CLI_VERSION="1.16.5"
KAFKA_VERSION="4.3.1"
PG_MAJOR="15"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE_ROOT="${TODO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/todo-chatbot}"
NODE_HOME="$CACHE_ROOT/node-$NODE_VERSION"
DAPR_HOME="$CACHE_ROOT/dapr-$DAPR_VERSION"          # holds .dapr/bin/{daprd,placement,scheduler,dapr}
DAPR_BIN="$DAPR_HOME/.dapr/bin"
KAFKA_HOME="$CACHE_ROOT/kafka-$KAFKA_VERSION"
STATE_DIR="$CACHE_ROOT/state"                       # data, pids and logs of the running stack
LOG_DIR="$STATE_DIR/logs"
RUN_DIR="$STATE_DIR/run"

say()  { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
ok()   { printf '\033[1;32m ok\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33m !!\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31mERR\033[0m %s\n' "$*" >&2; exit 1; }

# Elapsed seconds since the script began, for progress lines.
SECONDS=0
elapsed() { printf '%dm%02ds' $((SECONDS / 60)) $((SECONDS % 60)); }

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is missing: $2"
}

# Runs a long command with its output in a log file, printing a heartbeat every 30 s so the
# user sees it is alive. On failure prints the log's tail.
run_logged() {
  local what="$1" log="$2"; shift 2
  mkdir -p "$(dirname "$log")"
  say "$what (log: $log)"
  "$@" >"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    if (( SECONDS % 30 < 5 )); then
      printf '    ... still %s, %s elapsed, last: %s\n' "$what" "$(elapsed)" \
        "$(tail -n 1 "$log" 2>/dev/null | cut -c1-100)" >&2
    fi
  done
  if ! wait "$pid"; then
    tail -n 30 "$log" >&2
    die "$what failed; full log: $log"
  fi
}
