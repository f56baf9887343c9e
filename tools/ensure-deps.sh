#!/usr/bin/env bash
# Installs the Debian packages the demo, tests and benchmarks need, when missing.
# Usage: tools/ensure-deps.sh package[:command] ...   (command defaults to the package name)
#        package:py:module checks for a module of the system python3 instead (python3-fusepy:py:fusepy)
set -euo pipefail
missing=()
for spec in "$@"; do
  pkg=${spec%%:*}
  cmd=${spec#*:}
  if [[ $cmd == py:* ]]; then
    /usr/bin/python3 -c "import ${cmd#py:}" >/dev/null 2>&1 || missing+=("$pkg")
    continue
  fi
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "error: need ${missing[*]} (apt-get install as root)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
