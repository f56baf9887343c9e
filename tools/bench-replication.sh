#!/usr/bin/env bash
# Replication benchmark: raw LiteDB commits, local writes/s, sync and async replicated writes/s with latency,
# catch-up of 100k entries after a standby restart; pairs at heartbeat 10 ms / timeout 30 ms.
# Prints a table and, last, one JSON line. Options: --seconds N --writers N --catch-up N --warm-up N (unmeasured
# seconds of writes on each fresh pair, default 5) --no-rt
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
exec dotnet tools/Redundancy.Tools/bin/Release/net10.0/redundancy-tools.dll bench-replication "$@"
