#!/usr/bin/env bash
# Installs what coopnode needs to build, run and test on Debian 12, skipping
# what is already there. Usage: build/setup-debian.sh [run|test]
set -euo pipefail
what=${1:-test}

need=(pkg-config libgtk-3-dev libwebkit2gtk-4.0-dev)   # the desktop build (Wails: GTK + WebKit)
if [ "$what" = test ]; then
  need+=(xvfb xauth xdotool imagemagick chromium)      # a real window and a real browser in tests
fi
missing=()
for p in "${need[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v go >/dev/null || { echo "setup: Go is missing: install Go 1.26 from https://go.dev/dl (to /usr/local/go) and add it to PATH" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: Node.js 20.19+ with npm is missing" >&2; exit 1; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)' \
  || { echo "setup: Node.js $(node --version) is too old: Vite 8 needs 20.19 or newer" >&2; exit 1; }
