#!/usr/bin/env bash
# Idle benchmark: CPU and memory of a pair at 100 Hz heartbeats doing nothing else (the agent as installed).
# Options: --seconds N (measured, default 60) --settle-s N (before measuring, default 15). Prints per node the CPU (percent
# of one core) and the resident memory, and, last, one JSON line.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/ensure-deps.sh socat util-linux:chrt
. tools/bench-common.sh
run_bench bench-idle "$@"
