#!/usr/bin/env bash
# Cold start of a node holding a co-op, to API-ready, and its memory.
# Usage: build/bench-coldstart.sh BIN HOME [RUNS]  (COOPNODE_PASSPHRASE unlocks HOME)
# Each run starts `BIN serve` on the home and times it to the line saying it
# serves (the node is open, its state current, the API listening), then
# asks the API for `status` through the CLI, then reads the process's peak
# and current RSS from /proc before stopping it.
set -euo pipefail
bin=$1 home=$2 runs=${3:-3}
: "${COOPNODE_PASSPHRASE:?set COOPNODE_PASSPHRASE to the passphrase of HOME}"
export COOPNODE_PASSPHRASE
for _ in $(seq "$runs"); do
  log=$(mktemp)
  start=$(date +%s%N)
  "$bin" serve --home "$home" --p2p-listen /ip4/127.0.0.1/tcp/0 >"$log" 2>&1 &
  pid=$!
  until grep -q "is serving" "$log"; do
    if ! kill -0 "$pid" 2>/dev/null; then cat "$log"; exit 1; fi
    sleep 0.01
  done
  ready=$(date +%s%N)
  "$bin" status --home "$home" >/dev/null
  answered=$(date +%s%N)
  hwm=$(awk '/VmHWM/{print $2}' "/proc/$pid/status")
  rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
  kill "$pid"
  wait "$pid" || true
  rm -f "$log"
  ready_ms=$(( ready / 1000000 - start / 1000000 ))
  answered_ms=$(( answered / 1000000 - start / 1000000 ))
  echo "cold start: API-ready after ${ready_ms} ms, status answered after ${answered_ms} ms; peak RSS $(( hwm / 1024 )) MiB, RSS $(( rss / 1024 )) MiB"
done
