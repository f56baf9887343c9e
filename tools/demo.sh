#!/usr/bin/env bash
# The pair demo: two agents on this machine (socat pty pair as the serial crossover, loopback UDP,
# simulated cabinet). Kills the active, shows the takeover and the output timeline, pulls the serial cable,
# shows what an MQTT subscriber (mosquitto_sub) sees of the failover, then runs the field CLI:
# redundancyctl status, a graceful switchover and a drill. As root, part 2 runs the pair in network namespaces:
# a LAN client pinging the system IP through a power loss and a switchover, and both cables cut (the interlock holds).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
tools/ensure-deps.sh socat mosquitto mosquitto-clients:mosquitto_sub iproute2:ip
echo "building ..."
log=$(mktemp)
if ! dotnet build tools/Redundancy.Tools -c Release -nologo -v quiet -clp:ErrorsOnly >"$log" 2>&1 \
  || ! dotnet build src/Redundancy.Cli -c Release -nologo -v quiet -clp:ErrorsOnly >>"$log" 2>&1; then cat "$log" >&2; rm -f "$log"; exit 1; fi
rm -f "$log"
exec dotnet tools/Redundancy.Tools/bin/Release/net10.0/redundancy-tools.dll demo
