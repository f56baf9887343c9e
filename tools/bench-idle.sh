#!/usr/bin/env bash
# Idle benchmark: CPU and memory of a pair at 100 Hz heartbeats doing nothing else (the agent as installed).
# Options: --seconds N (measured, default 60) --settle-s N (before measuring, default 15). Prints per node the CPU (percent
# of one core) and the resident memory, and, last, one JSON line.
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
exec dotnet tools/Redundancy.Tools/bin/Release/net10.0/redundancy-tools.dll bench-idle "$@"
