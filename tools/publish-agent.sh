#!/usr/bin/env bash
# Publishes the agent as it is installed on a box (Release, ReadyToRun: compiled ahead, so a freshly started
# node does not spend its first seconds in the JIT) into artifacts/agent/<rid>, for the benchmarks.
# Prints the path of redundancy-agent.dll. The tests run the plain build output.
set -euo pipefail
cd "$(dirname "$0")/.."
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64 | arm64) rid=linux-arm64 ;;
  armv7l) rid=linux-arm ;;
  *) echo "publish-agent: unknown machine $(uname -m)" >&2; exit 1 ;;
esac
out="artifacts/agent/$rid"
log=$(mktemp)
if ! dotnet publish src/Redundancy.Agent -c Release -r "$rid" --self-contained false -o "$out" -nologo -v quiet -clp:ErrorsOnly >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"; exit 1
fi
rm -f "$log"
echo "$PWD/$out/redundancy-agent.dll"
