#!/usr/bin/env bash
# The pair demo: two agents on this machine (socat pty pair as the serial crossover, loopback UDP,
# simulated cabinet). Kills the active, shows the takeover and the output timeline, pulls the serial cable.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
tools/ensure-deps.sh socat
echo "building ..."
dotnet build tools/Redundancy.Tools -c Release -nologo -v quiet -clp:ErrorsOnly
exec dotnet tools/Redundancy.Tools/bin/Release/net10.0/redundancy-tools.dll demo
