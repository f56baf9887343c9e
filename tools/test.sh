#!/usr/bin/env bash
# Builds everything and runs every test project against the real components (socat pty pairs, network
# namespaces, agent processes). Ends with one line: "tests: N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

tools/ensure-deps.sh socat iproute2:ip nftables:nft mosquitto mosquitto-clients:mosquitto_sub stress-ng util-linux:chrt fuse3:fusermount3 python3-fusepy:py:fusepy systemd:systemd-analyze || exit 1

start=$(date +%s)
if ! dotnet build Redundancy.sln -c Release -nologo -v quiet -clp:ErrorsOnly; then
  echo "tests: 0 passed, 1 failed (build failed)"
  exit 1
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
# One project at a time: the pair tests measure timing and must not share the two cores with other suites.
for project in tests/Redundancy.Core.Tests tests/Redundancy.Agent.Tests tests/Redundancy.Protocol.Tests tests/Redundancy.Sparkplug.Tests tests/Redundancy.Edges.Tests tests/Redundancy.Integration.Tests; do
  name=$(basename "$project")
  echo "== $name"
  if ! dotnet test "$project" -c Release --no-build --nologo \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
      --results-directory "$results"; then
    status=1
  fi
  if [ ! -f "$results/$name.trx" ]; then
    echo "error: $name produced no results (test host crashed?)"
    status=1
  fi
done

passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { local v; v=$(echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'); echo "${v:-0}"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # a run that failed without a failed test (crash, missing results) still fails
fi

echo "suite time: $(( $(date +%s) - start )) s"
line="tests: $passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
