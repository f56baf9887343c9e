#!/usr/bin/env bash
# Switchover benchmark: N graceful switchovers (default 30) on a real pair with a sync writer running throughout,
# measured on the cabinet timeline (command -> new active drives every output), gap, overlap, lost writes.
# Options: --rounds N --interval-ms N --timeout-ms N --no-rt --no-writer (the switchover alone, without a write in flight). Prints a table and, last, one JSON line.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/ensure-deps.sh socat util-linux:chrt
. tools/bench-common.sh
run_bench bench-switchover "$@"
