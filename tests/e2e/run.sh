#!/usr/bin/env bash
# Desktop end-to-end test: the real Insisst app under Xvfb, driven through tauri-driver
# (WebDriver, proxying to WebKitWebDriver), by tests/e2e/app.test.mjs on `node --test`:
# Home and records on a demo workspace made by the CLI, exchange of bundles with a partner
# workspace the CLI drives, then the first start on an empty one.
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

LOG_TAG=e2e
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

APP="$(abspath "${1:-${INSISST_APP:-$REPO/target/debug/insisst-app}}")"
CLI="$(abspath "${INSISST_CLI:-$REPO/target/debug/insisst}")"
SHOTS="${E2E_SCREENSHOTS:-$REPO/target/e2e-screenshots}"
DEMO_RECORDS="${E2E_DEMO_RECORDS:-200}"

[[ -x "$APP" ]] || die "app binary not found or not executable: $APP (build it first, with the UI embedded)"
[[ -x "$CLI" ]] || die "CLI binary not found or not executable: $CLI (set INSISST_CLI)"
check_webdriver_tools

TMP="$(mktemp -d "${TMPDIR:-/tmp}/insisst-e2e.XXXXXX")"
LIB_TMP="$TMP"

cleanup() {
  local rc=$?
  set +e
  [[ $rc -eq 0 ]] || dump_logs
  stop_all
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

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

# ---- Xvfb on a free display, tauri-driver on a free port (lib.sh) --------------------
start_xvfb
pick_driver_port

# ---- the test ------------------------------------------------------------------------
if [[ ! -d "$HERE/node_modules/webdriverio" ]]; then
  log "installing the test's node packages (npm ci)"
  (cd "$HERE" && npm ci --no-audit --no-fund --ignore-scripts >"$TMP/npm.log" 2>&1) \
    || { cat "$TMP/npm.log" >&2; die "npm ci failed in tests/e2e"; }
fi

mkdir -p "$SHOTS"
rm -f "$SHOTS"/*.png
export INSISST_APP="$APP" INSISST_CLI="$CLI" E2E_SCREENSHOTS="$SHOTS" TAURI_DRIVER_PORT="$PORT"
# Scratch space of the tests (the first-start test makes its empty workspaces here).
export E2E_TMP="$TMP"
export E2E_SESSION_MARKER="$TMP/session-not-created"

run_test() {
  rm -f "$E2E_SESSION_MARKER"
  # E2E_TEST_PATTERN runs only the tests whose name matches (while working on one).
  timeout --kill-after=10 "${E2E_TIMEOUT:-1500}" \
    node --test --test-concurrency=1 --test-reporter=spec \
      ${E2E_TEST_PATTERN:+--test-name-pattern="$E2E_TEST_PATTERN"} "$HERE/app.test.mjs"
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
