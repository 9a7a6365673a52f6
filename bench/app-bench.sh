#!/usr/bin/env bash
# Desktop app benchmark (`make bench-app`): launch to first content and the memory of all the
# app's processes (app, WebKitWebProcess, WebKitNetworkProcess), for the Insisst app on a
# 1,000-record workspace beside a hello-world Tauri app (bench/hello-tauri) measured the same
# way in the same run, under Xvfb through tauri-driver. Prints one table of medians and ratios.
#
#   bench/app-bench.sh
#
# Environment: BENCH_ROUNDS (default 5), BENCH_WARMUP (1), BENCH_IDLE_MS (3000),
# BENCH_RECORDS (1000), BENCH_JSON (write every sample there), BENCH_SKIP_BUILD=1 (use the
# binaries already built), BENCH_TIMEOUT (seconds for the whole measurement, default 900);
# BENCH_INSISST_APP and BENCH_CLI replace the release binaries (to try the harness only).
# Needs what the end-to-end test needs: Xvfb, tauri-driver, WebKitWebDriver, node >= 20.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"

LOG_TAG=bench-app
# shellcheck source=tests/e2e/lib.sh
source "$REPO/tests/e2e/lib.sh"

APP="$(abspath "${BENCH_INSISST_APP:-$REPO/target/release/insisst-app}")"
CLI="$(abspath "${BENCH_CLI:-$REPO/target/release/insisst}")"
HELLO_TARGET="$REPO/target/hello-tauri"
HELLO="$HELLO_TARGET/release/hello-tauri"
RECORDS="${BENCH_RECORDS:-1000}"

check_webdriver_tools

# ---- build both apps, release, UI embedded ---------------------------------------------
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
  log "building the UI and the Insisst app and CLI (release)"
  (cd "$REPO" && npm --prefix ui run build >/dev/null)
  (cd "$REPO" && cargo build --release --features custom-protocol -p insisst-app -p insisst-cli)
  log "building the hello-world Tauri app (release, into target/hello-tauri)"
  # Standalone package (its own [workspace] and Cargo.lock, copied from the repository's),
  # its own target folder, so it never changes the main build's lock or features.
  (cd "$HERE/hello-tauri" && CARGO_TARGET_DIR="$HELLO_TARGET" cargo build --release --features custom-protocol)
fi
for bin in "$APP" "$CLI" "$HELLO"; do
  [[ -x "$bin" ]] || die "not built: $bin"
done

TMP="$(mktemp -d "${TMPDIR:-/tmp}/insisst-bench-app.XXXXXX")"
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

# ---- the workspace the Insisst app opens -----------------------------------------------
WS="$TMP/workspace"
mkdir -p "$WS" "$TMP/xdg/config" "$TMP/xdg/data" "$TMP/xdg/cache"
log "creating a $RECORDS-record demo workspace"
timeout 120 "$CLI" --workspace "$WS" init --member "Bench Member" --org THL >/dev/null \
  || die "'insisst init' failed"
timeout 600 "$CLI" --workspace "$WS" demo --records "$RECORDS" --seed 7 >/dev/null \
  || die "'insisst demo' failed"
# tauri-driver passes its environment on to WebKitWebDriver and the apps.
export INSISST_WORKSPACE="$WS"
export XDG_CONFIG_HOME="$TMP/xdg/config" XDG_DATA_HOME="$TMP/xdg/data" XDG_CACHE_HOME="$TMP/xdg/cache"

# ---- Xvfb and tauri-driver ---------------------------------------------------------------
start_xvfb
pick_driver_port
start_driver

if [[ ! -d "$REPO/tests/e2e/node_modules/webdriverio" ]]; then
  log "installing WebdriverIO (npm ci in tests/e2e)"
  (cd "$REPO/tests/e2e" && npm ci --no-audit --no-fund --ignore-scripts >"$TMP/npm.log" 2>&1) \
    || { cat "$TMP/npm.log" >&2; die "npm ci failed in tests/e2e"; }
fi

# ---- measure -------------------------------------------------------------------------------
export BENCH_INSISST_APP="$APP" BENCH_HELLO_APP="$HELLO" BENCH_DRIVER_PID="$DRIVER_PID"
export TAURI_DRIVER_PORT="$PORT"
timeout --kill-after=10 "${BENCH_TIMEOUT:-900}" node "$HERE/app-bench.mjs"
