#!/usr/bin/env bash
# Replication benchmark: raw LiteDB commits, local writes/s, sync and async replicated writes/s with latency,
# catch-up of 100k entries after a standby restart; pairs at heartbeat 10 ms / timeout 30 ms.
# Prints a table and, last, one JSON line. Options: --seconds N --writers N --catch-up N --warm-up N (unmeasured
# seconds of writes on each fresh pair, default 5) --no-rt
set -euo pipefail
cd "$(dirname "$0")/.."
tools/ensure-deps.sh socat util-linux:chrt
. tools/bench-common.sh
run_bench bench-replication "$@"
