#!/usr/bin/env bash
# Failover benchmark: rounds of kill -9 on the active of a real pair (default heartbeat 10 ms, timeout 30 ms),
# then the healthy pair under stress-ng on both cores. Prints a table and, last, one JSON line.
# Options: --rounds N --interval-ms N --timeout-ms N --stress-s N --udp-only --no-rt
# --system-ip: in network namespaces with a LAN beside the heartbeat link and a client pinging the pair's system IP every
# 1 ms; adds switchovers (as many rounds) and pings_lost_p50, pings_lost_max, ip_moved_p99_ms (kill -9) and the same
# three prefixed switchover_ to the JSON line. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/ensure-deps.sh socat stress-ng util-linux:chrt
. tools/bench-common.sh
run_bench bench-failover "$@"
