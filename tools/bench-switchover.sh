#!/usr/bin/env bash
# Switchover benchmark: N graceful switchovers (default 30) on a real pair with a sync writer running throughout,
# measured on the cabinet timeline (command -> new active drives every output), gap, overlap, lost writes.
# Options: --rounds N --interval-ms N --timeout-ms N --no-rt --no-writer (the switchover alone, without a write in flight). Prints a table and, last, one JSON line.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
tools/ensure-deps.sh socat util-linux:chrt
log=$(mktemp)
if ! dotnet build tools/Redundancy.Tools -c Release -nologo -v quiet -clp:ErrorsOnly >"$log" 2>&1; then cat "$log" >&2; rm -f "$log"; exit 1; fi
rm -f "$log"
# The agent as installed (ReadyToRun), not the JIT-only build output the tests use.
REDUNDANCY_AGENT_DLL=$(tools/publish-agent.sh)
export REDUNDANCY_AGENT_DLL
exec dotnet tools/Redundancy.Tools/bin/Release/net10.0/redundancy-tools.dll bench-switchover "$@"
