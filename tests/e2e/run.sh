#!/usr/bin/env bash
# Desktop end-to-end test: the real Insisst app under Xvfb, driven through tauri-driver
# (WebDriver, proxying to WebKitWebDriver), by tests/e2e/app.test.mjs on `node --test`.
#
#   tests/e2e/run.sh [APP_BINARY]
#
# APP_BINARY (or $INSISST_APP) defaults to target/debug/insisst-app; the CLI that prepares
# the workspace is $INSISST_CLI (default target/debug/insisst). Screenshots go to
# target/e2e-screenshots/. Needs: Xvfb, tauri-driver (cargo install tauri-driver --locked),
# WebKitWebDriver (Debian: webkit2gtk-driver), node >= 20.
# The app must be built with the UI embedded (ui/dist, `--features tauri/custom-protocol`).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

abspath() { # absolute path of $1 (which may not exist yet)
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$(pwd)" "$1" ;;
  esac
}

APP="$(abspath "${1:-${INSISST_APP:-$REPO/target/debug/insisst-app}}")"
CLI="$(abspath "${INSISST_CLI:-$REPO/target/debug/insisst}")"
SHOTS="${E2E_SCREENSHOTS:-$REPO/target/e2e-screenshots}"
TAURI_DRIVER="${TAURI_DRIVER:-$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")}"
DEMO_RECORDS="${E2E_DEMO_RECORDS:-200}"

log() { printf '[e2e] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ -x "$APP" ]] || die "app binary not found or not executable: $APP (build it first, with the UI embedded)"
[[ -x "$CLI" ]] || die "CLI binary not found or not executable: $CLI (set INSISST_CLI)"
[[ -x "$TAURI_DRIVER" ]] || die "tauri-driver not found (cargo install tauri-driver --locked, or set TAURI_DRIVER)"
command -v WebKitWebDriver >/dev/null || die "WebKitWebDriver not found (apt-get install webkit2gtk-driver)"
command -v Xvfb >/dev/null || die "Xvfb not found (apt-get install xvfb)"
command -v node >/dev/null || die "node not found"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/insisst-e2e.XXXXXX")"
XVFB_PID=""
DRIVER_PID=""

stop_pid() { # stop_pid PID: TERM, wait up to 5 s, then KILL; only the process we started
  local pid="$1"
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

stop_group() { # stop_group PID: the process group led by PID (a setsid child of ours),
  # and its direct children wherever they went (tauri-driver's WebKitWebDriver)
  local pid="$1" kids alive
  [[ -n "$pid" ]] || return 0
  kids="$(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ' || true)"
  kill -TERM -- "-$pid" 2>/dev/null || true
  # shellcheck disable=SC2086
  [[ -z "$kids" ]] || kill -TERM $kids 2>/dev/null || true
  for _ in $(seq 50); do
    alive=0
    kill -0 -- "-$pid" 2>/dev/null && alive=1
    for k in $kids; do kill -0 "$k" 2>/dev/null && alive=1; done
    [[ $alive -eq 1 ]] || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  # shellcheck disable=SC2086
  [[ -z "$kids" ]] || kill -KILL $kids 2>/dev/null || true
}

cleanup() {
  local rc=$?
  set +e
  if [[ $rc -ne 0 ]]; then
    for f in "$TMP"/tauri-driver*.log "$TMP"/xvfb.log; do
      [[ -s "$f" ]] || continue
      log "---- last lines of $(basename "$f") ----"
      tail -n 40 "$f" >&2
    done
  fi
  stop_group "$DRIVER_PID"
  stop_pid "$XVFB_PID"
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---- a workspace with demo data, through the CLI -------------------------------------
WS="$TMP/workspace"
mkdir -p "$WS" "$TMP/xdg/config" "$TMP/xdg/data" "$TMP/xdg/cache"
log "creating workspace $WS"
timeout 120 "$CLI" --workspace "$WS" init --member "Test Member" --org THL \
  || die "'insisst init' failed"
timeout 300 "$CLI" --workspace "$WS" demo --records "$DEMO_RECORDS" --seed 7 \
  || die "'insisst demo' failed"
export INSISST_WORKSPACE="$WS"
# Keep the app's and WebKit's own config, data and caches out of the user's home.
export XDG_CONFIG_HOME="$TMP/xdg/config" XDG_DATA_HOME="$TMP/xdg/data" XDG_CACHE_HOME="$TMP/xdg/cache"

# ---- Xvfb on a free display ----------------------------------------------------------
DISPLAY_NUM=""
for n in $(seq "${E2E_DISPLAY:-99}" 140); do
  if [[ ! -e "/tmp/.X${n}-lock" && ! -e "/tmp/.X11-unix/X${n}" ]]; then
    DISPLAY_NUM="$n"
    break
  fi
done
[[ -n "$DISPLAY_NUM" ]] || die "no free X display between :${E2E_DISPLAY:-99} and :140"
log "starting Xvfb :$DISPLAY_NUM"
Xvfb ":$DISPLAY_NUM" -screen 0 1280x800x24 -nolisten tcp >"$TMP/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 100); do
  [[ -e "/tmp/.X11-unix/X${DISPLAY_NUM}" ]] && break
  kill -0 "$XVFB_PID" 2>/dev/null || die "Xvfb exited at start"
  sleep 0.1
done
[[ -e "/tmp/.X11-unix/X${DISPLAY_NUM}" ]] || die "Xvfb did not come up within 10 s"
export DISPLAY=":$DISPLAY_NUM"

# ---- tauri-driver --------------------------------------------------------------------
PORT="${TAURI_DRIVER_PORT:-4444}"
while port_open "$PORT" || port_open "$((PORT + 1))"; do
  PORT=$((PORT + 10))
  [[ $PORT -lt 4600 ]] || die "no free port pair for tauri-driver"
done
DRIVER_RUN=0

start_driver() {
  DRIVER_RUN=$((DRIVER_RUN + 1))
  log "starting tauri-driver on 127.0.0.1:$PORT (native port $((PORT + 1)))"
  # Its own process group, so WebKitWebDriver and any app it left running go with it.
  setsid "$TAURI_DRIVER" --port "$PORT" --native-port "$((PORT + 1))" \
    >"$TMP/tauri-driver-$DRIVER_RUN.log" 2>&1 &
  DRIVER_PID=$!
  for _ in $(seq 150); do
    port_open "$PORT" && return 0
    kill -0 "$DRIVER_PID" 2>/dev/null || die "tauri-driver exited at start"
    sleep 0.1
  done
  die "tauri-driver did not listen on $PORT within 15 s"
}

restart_driver() {
  log "restarting tauri-driver"
  stop_group "$DRIVER_PID"
  DRIVER_PID=""
  sleep 1
  start_driver
}

# ---- the test ------------------------------------------------------------------------
if [[ ! -d "$HERE/node_modules/webdriverio" ]]; then
  log "installing the test's node packages (npm ci)"
  (cd "$HERE" && npm ci --no-audit --no-fund --ignore-scripts >"$TMP/npm.log" 2>&1) \
    || { cat "$TMP/npm.log" >&2; die "npm ci failed in tests/e2e"; }
fi

mkdir -p "$SHOTS"
rm -f "$SHOTS"/*.png
export INSISST_APP="$APP" E2E_SCREENSHOTS="$SHOTS" TAURI_DRIVER_PORT="$PORT"
export E2E_SESSION_MARKER="$TMP/session-not-created"

run_test() {
  rm -f "$E2E_SESSION_MARKER"
  timeout --kill-after=10 "${E2E_TIMEOUT:-420}" \
    node --test --test-concurrency=1 --test-reporter=spec "$HERE/app.test.mjs"
}

start_driver
set +e
run_test
rc=$?
set -e
if [[ $rc -ne 0 && -e "$E2E_SESSION_MARKER" ]]; then
  log "the WebDriver session could not be created; retrying once with a fresh tauri-driver"
  restart_driver
  set +e
  run_test
  rc=$?
  set -e
fi
if [[ $rc -eq 0 ]]; then
  log "screenshots: $SHOTS"
else
  log "end-to-end test failed (exit $rc); screenshots so far: $SHOTS"
fi
exit "$rc"
