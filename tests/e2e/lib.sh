# shellcheck shell=bash
# Shared by tests/e2e/run.sh and bench/app-bench.sh: an Xvfb display and tauri-driver,
# started robustly and stopped reliably. Source it, then:
#
#   LOG_TAG=e2e            prefix of log lines (default: e2e)
#   LIB_TMP=/some/dir      where the Xvfb and tauri-driver logs go (required)
#   start_xvfb             sets XVFB_PID, DISPLAY_NUM and exports DISPLAY
#   pick_driver_port       sets PORT (tauri-driver) so that PORT and PORT+1 are free
#   start_driver           starts tauri-driver on PORT in its own process group (DRIVER_PID)
#   restart_driver         stops it (with WebKitWebDriver and any app it left) and starts anew
#   stop_all               stops tauri-driver and Xvfb (call it from the caller's EXIT trap)
#   dump_logs              prints the last lines of the Xvfb and tauri-driver logs
#
# Only processes started here are ever signalled, by their id or their process group.

XVFB_PID="${XVFB_PID:-}"
DRIVER_PID="${DRIVER_PID:-}"
DRIVER_RUN=0
TAURI_DRIVER="${TAURI_DRIVER:-$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")}"

log() { printf '[%s] %s\n' "${LOG_TAG:-e2e}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

abspath() { # absolute path of $1 (which may not exist yet)
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$(pwd)" "$1" ;;
  esac
}

check_webdriver_tools() { # the programs both callers need
  [[ -x "$TAURI_DRIVER" ]] || die "tauri-driver not found (cargo install tauri-driver --locked, or set TAURI_DRIVER)"
  command -v WebKitWebDriver >/dev/null || die "WebKitWebDriver not found (apt-get install webkit2gtk-driver)"
  command -v Xvfb >/dev/null || die "Xvfb not found (apt-get install xvfb)"
  command -v node >/dev/null || die "node not found"
}

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

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_xvfb() { # Xvfb on the first free display from ${E2E_DISPLAY:-99}
  local n
  DISPLAY_NUM=""
  for n in $(seq "${E2E_DISPLAY:-99}" 140); do
    if [[ ! -e "/tmp/.X${n}-lock" && ! -e "/tmp/.X11-unix/X${n}" ]]; then
      DISPLAY_NUM="$n"
      break
    fi
  done
  [[ -n "$DISPLAY_NUM" ]] || die "no free X display between :${E2E_DISPLAY:-99} and :140"
  log "starting Xvfb :$DISPLAY_NUM"
  Xvfb ":$DISPLAY_NUM" -screen 0 1280x800x24 -nolisten tcp >"$LIB_TMP/xvfb.log" 2>&1 &
  XVFB_PID=$!
  for _ in $(seq 100); do
    [[ -e "/tmp/.X11-unix/X${DISPLAY_NUM}" ]] && break
    kill -0 "$XVFB_PID" 2>/dev/null || die "Xvfb exited at start"
    sleep 0.1
  done
  [[ -e "/tmp/.X11-unix/X${DISPLAY_NUM}" ]] || die "Xvfb did not come up within 10 s"
  export DISPLAY=":$DISPLAY_NUM"
}

pick_driver_port() { # PORT and PORT+1 (WebKitWebDriver) both free
  PORT="${TAURI_DRIVER_PORT:-4444}"
  while port_open "$PORT" || port_open "$((PORT + 1))"; do
    PORT=$((PORT + 10))
    [[ $PORT -lt 4600 ]] || die "no free port pair for tauri-driver"
  done
}

start_driver() {
  DRIVER_RUN=$((DRIVER_RUN + 1))
  log "starting tauri-driver on 127.0.0.1:$PORT (native port $((PORT + 1)))"
  # Its own process group, so WebKitWebDriver and any app it left running go with it.
  setsid "$TAURI_DRIVER" --port "$PORT" --native-port "$((PORT + 1))" \
    >"$LIB_TMP/tauri-driver-$DRIVER_RUN.log" 2>&1 &
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

dump_logs() {
  local f
  for f in "$LIB_TMP"/tauri-driver*.log "$LIB_TMP"/xvfb.log; do
    [[ -s "$f" ]] || continue
    log "---- last lines of $(basename "$f") ----"
    tail -n 40 "$f" >&2
  done
}

stop_all() {
  stop_group "$DRIVER_PID"
  DRIVER_PID=""
  stop_pid "$XVFB_PID"
  XVFB_PID=""
}
