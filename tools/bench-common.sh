#!/usr/bin/env bash
# Sourced by tools/bench-*.sh after their tools/ensure-deps.sh line: builds the tools, publishes the agent as it is
# installed (ReadyToRun, not the JIT-only build output the tests use) and runs benchmark $1 with the rest as its options.
run_bench() {
  local bench=$1 log
  shift
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  log=$(mktemp)
  if ! dotnet build tools/Redundancy.Tools -c Release -nologo -v quiet -clp:ErrorsOnly >"$log" 2>&1; then cat "$log" >&2; rm -f "$log"; exit 1; fi
  rm -f "$log"
  REDUNDANCY_AGENT_DLL=$(tools/publish-agent.sh)
  export REDUNDANCY_AGENT_DLL
  exec dotnet tools/Redundancy.Tools/bin/Release/net10.0/redundancy-tools.dll "$bench" "$@"
}
