#!/usr/bin/env bash
# Installs what building and testing Insisst needs, on Debian/Ubuntu; says what to install
# elsewhere. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_e2e="${1:-}"
apt_packages=(libwebkit2gtk-4.1-dev build-essential libxdo-dev libssl-dev
              libayatana-appindicator3-dev librsvg2-dev pkg-config
              strace  # strace: the CLI test that no Internet socket is opened (issue 9)
              # Independent parsers the interop tests check exported .ics and .vcf with.
              python3 python3-icalendar python3-vobject)
if [ "$want_e2e" = "--e2e" ]; then
  apt_packages+=(xvfb webkit2gtk-driver)
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing Debian packages: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
else
  cat >&2 <<'MSG'
This is not a Debian/Ubuntu system: install by hand what Tauri 2 needs
(https://v2.tauri.app/start/prerequisites/: WebKitGTK 4.1, libxdo, OpenSSL, librsvg,
ayatana-appindicator; and for the end-to-end tests Xvfb and WebKitWebDriver), Node.js 20+
and Rust (rustup). Continuing.
MSG
fi

command -v node >/dev/null || { echo "Node.js 20+ is needed (apt-get install nodejs npm)" >&2; exit 1; }
command -v cargo >/dev/null || { echo "Rust is needed (https://rustup.rs)" >&2; exit 1; }

# node_modules follow the lock files; reinstall only when a lock file is newer.
for dir in ui tests/e2e; do
  if [ -f "$dir/package-lock.json" ] && { [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; }; then
    echo "==> npm ci in $dir"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
done

if [ "$want_e2e" = "--e2e" ] && ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "==> cargo install tauri-driver"
  cargo install tauri-driver --locked --quiet
fi
